using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Devices.Chardev;

/// <summary>Guest output to a file (truncated, or appended with append=on); no input.</summary>
public sealed class FileChardev : Chardev
{
    public static readonly StringProperty PathProperty = new("path", null, "File to write the output to");
    public static readonly BoolProperty AppendProperty = new("append", false, "Append instead of truncating");

    public static new readonly ObjectType TypeInfo = new("chardev-file", Chardev.TypeInfo, t => new FileChardev(t), "Write output to a file",
        new PropertyInfo[] { PathProperty, AppendProperty }, userCreatable: true);

    private readonly object _writeLock = new();
    private FileDescriptor? _file;
    private bool _broken;

    public FileChardev(ObjectType type) : base(type)
    {
    }

    /// <summary>Opens the file; throws <see cref="PosixException"/> naming it.</summary>
    public void Open()
    {
        string path = Get(PathProperty) ?? throw new PropertyValueException("chardev file needs path=");
        if (path.Length == 0 || path.Contains('\0'))
            throw new PropertyValueException($"chardev file: {(path.Length == 0 ? "empty file name" : "the file name contains a NUL byte")}");
        int flags = LibC.O_WRONLY | LibC.O_CREAT | (Get(AppendProperty) ? 0x400 /* O_APPEND */ : 0x200 /* O_TRUNC */);
        int fd = LibC.open(path, flags | LibC.O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0)
            Sys.Throw("open", path);
        _file = new FileDescriptor(fd);
        IsRealized = true;
    }

    public override string Describe() => $"file:{Get(PathProperty)}";

    // A log file is written at disk speed; it gets a larger buffer than a socket.
    protected override int OutputCapacity => 1 << 20;

    protected override bool WriteOut(ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            if (_file == null || _broken)
                return false;
            if (!FdWriter.WriteAll(_file, data))
                _broken = true;
            return !_broken;
        }
    }

    protected override void Close()
    {
        lock (_writeLock)
            _file?.Dispose();
    }
}
