using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Devices.Chardev;

/// <summary>Writes all bytes to a file descriptor, retrying short writes and EINTR; errors are reported once to the caller.</summary>
internal static unsafe class FdWriter
{
    /// <summary>False when the descriptor failed (closed pipe, full disk...).</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = LibC.write(fd, p + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                        continue;
                    return false;
                }
                done += (int)n;
            }
        }
        return true;
    }
}
