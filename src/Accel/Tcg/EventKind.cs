namespace Emu.Accel.Tcg;

/// <summary>How an interrupt or exception came about: it decides the return address, the gate DPL check and EXT in error codes.</summary>
internal enum EventKind
{
    /// <summary>A fault or abort: the saved RIP is the faulting instruction's.</summary>
    Exception,

    /// <summary>A hardware interrupt or NMI, taken between instructions.</summary>
    External,

    /// <summary>INT n: the gate's DPL must allow the CPL; the saved RIP is the next instruction's.</summary>
    Software,

    /// <summary>INT3 and INTO: checked like INT n, reported like exceptions.</summary>
    SoftwareException,
}
