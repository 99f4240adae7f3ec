namespace Emu.Devices.Chardev;

/// <summary>The device end of a character backend (a UART, a virtio console port).</summary>
public interface IChardevFrontend
{
    /// <summary>
    /// Offers input bytes; returns how many were taken (0 when the device's
    /// receive buffer is full). The backend keeps the rest and offers them again
    /// after <see cref="Chardev.NotifyReceiveSpace"/>, so no input is lost.
    /// </summary>
    int Receive(ReadOnlySpan<byte> data);
}
