namespace Emu.Accel.Tcg;

/// <summary>Architectural exception vectors (Intel SDM vol. 3A, table 6-1).</summary>
internal static class ExceptionVector
{
    public const int DivideError = 0, Debug = 1, Nmi = 2, Breakpoint = 3, Overflow = 4, BoundRange = 5, InvalidOpcode = 6,
        DeviceNotAvailable = 7, DoubleFault = 8, InvalidTss = 10, SegmentNotPresent = 11, StackFault = 12, GeneralProtection = 13,
        PageFault = 14, FloatingPoint = 16, AlignmentCheck = 17, MachineCheck = 18, SimdFloatingPoint = 19;

    /// <summary>Exceptions that push an error code.</summary>
    public static bool HasErrorCode(int vector) => vector is DoubleFault or InvalidTss or SegmentNotPresent or StackFault
        or GeneralProtection or PageFault or AlignmentCheck or 21;

    /// <summary>The contributory exceptions of the double-fault rules (SDM table 6-4).</summary>
    public static bool IsContributory(int vector) => vector is DivideError or InvalidTss or SegmentNotPresent or StackFault or GeneralProtection;
}
