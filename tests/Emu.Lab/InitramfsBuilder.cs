using System.Security.Cryptography;
using System.Text;

namespace Emu.Lab;

// Collects the files of an initramfs and writes it as an uncompressed newc cpio archive,
// cached by content: the cache key hashes every entry (inline bytes by content, host files
// by path, size and modification time), so an unchanged image is built once per machine
// and reused by every run. Uncompressed because TCG decompresses slowly and the images
// are small (level 2: about 7 MB).
public sealed class InitramfsBuilder
{
    abstract record Item(string Path);
    sealed record DirItem(string Path, uint Permissions) : Item(Path);
    sealed record BytesItem(string Path, byte[] Data, uint Permissions) : Item(Path);
    sealed record HostFileItem(string Path, string HostPath, uint Permissions) : Item(Path);
    sealed record LinkItem(string Path, string Target) : Item(Path);
    sealed record CharItem(string Path, uint Major, uint Minor, uint Permissions) : Item(Path);

    readonly List<Item> _items = [];
    readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    // Every initramfs of the lab starts with these: a root skeleton, /dev/console for
    // init's first stdio (before devtmpfs is mounted) and a static busybox at /bin/busybox.
    public static InitramfsBuilder WithBusybox(LabEnvironment env)
    {
        env.EnsureLevel2();
        var b = new InitramfsBuilder();
        foreach (string d in new[] { "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/etc", "/proc", "/sys", "/dev", "/tmp", "/root" })
            b.AddDirectory(d);
        b.AddCharDevice("/dev/console", 5, 1);
        b.AddCharDevice("/dev/null", 1, 3, 0x1B6);
        b.AddHostFile("/bin/busybox", env.BusyboxPath!, 0x1ED);
        b.AddSymlink("/bin/sh", "busybox");
        return b;
    }

    public InitramfsBuilder AddDirectory(string path, uint permissions = 0x1ED)
    {
        path = Canonical(path);
        if (path.Length == 0 || !_paths.Add(path))
            return this;
        AddParents(path);
        _items.Add(new DirItem(path, permissions));
        return this;
    }

    public InitramfsBuilder AddFile(string path, byte[] data, uint permissions = 0x1A4) =>
        AddLeaf(new BytesItem(Canonical(path), data, permissions));

    // A text file; CRLF is normalised to LF so scripts written on any machine run.
    public InitramfsBuilder AddText(string path, string text, uint permissions = 0x1A4) =>
        AddFile(path, Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n")), permissions);

    public InitramfsBuilder AddScript(string path, string text) => AddText(path, text, 0x1ED);

    public InitramfsBuilder AddHostFile(string path, string hostPath, uint permissions = 0x1A4) =>
        AddLeaf(new HostFileItem(Canonical(path), hostPath, permissions));

    public InitramfsBuilder AddSymlink(string path, string target) =>
        AddLeaf(new LinkItem(Canonical(path), target));

    public InitramfsBuilder AddCharDevice(string path, uint major, uint minor, uint permissions = 0x180) =>
        AddLeaf(new CharItem(Canonical(path), major, minor, permissions));

    // Copies the module files under /lib/modules/<ver>/ with a filtered modules.dep (plus
    // modules.softdep and modules.builtin), so busybox modprobe resolves dependencies, and
    // writes the names to load, one per line, to listPath.
    public InitramfsBuilder AddModules(LabEnvironment env, KernelModuleSet modules, string listPath)
    {
        string dir = $"/lib/modules/{modules.KernelVersion}";
        AddDirectory(dir);
        foreach (string rel in modules.Files)
            AddHostFile($"{dir}/{rel}", Path.Combine(env.ModulesDirectory!, rel));
        AddText($"{dir}/modules.dep", modules.ModulesDep);
        foreach (string extra in new[] { "modules.softdep", "modules.builtin" })
        {
            string host = Path.Combine(env.ModulesDirectory!, extra);
            if (File.Exists(host))
                AddHostFile($"{dir}/{extra}", host);
        }
        AddText(listPath, string.Concat(modules.Loadable.Select(m => m + "\n")));
        return this;
    }

    // Hex SHA-256 over the description of every entry.
    public string ComputeKey()
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => h.AppendData(Encoding.UTF8.GetBytes(s + "\0"));
        Add("emu-lab-initramfs-v1");
        foreach (Item item in _items)
        {
            switch (item)
            {
                case DirItem d: Add($"d {d.Path} {d.Permissions}"); break;
                case BytesItem b: Add($"f {b.Path} {b.Permissions} {Convert.ToHexString(SHA256.HashData(b.Data))}"); break;
                case HostFileItem f:
                    var fi = new FileInfo(f.HostPath);
                    if (!fi.Exists) throw new LabException($"initramfs input {f.HostPath} does not exist");
                    Add($"h {f.Path} {f.Permissions} {f.HostPath} {fi.Length} {fi.LastWriteTimeUtc.Ticks}");
                    break;
                case LinkItem l: Add($"l {l.Path} {l.Target}"); break;
                case CharItem c: Add($"c {c.Path} {c.Major} {c.Minor} {c.Permissions}"); break;
            }
        }
        return Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant();
    }

    // Writes the archive to a stream.
    public void WriteTo(Stream stream)
    {
        var w = new CpioWriter(stream);
        foreach (Item item in _items)
        {
            switch (item)
            {
                case DirItem d: w.AddDirectory(d.Path, d.Permissions); break;
                case BytesItem b: w.AddFile(b.Path, b.Data, b.Permissions); break;
                case HostFileItem f: w.AddFile(f.Path, File.ReadAllBytes(f.HostPath), f.Permissions); break;
                case LinkItem l: w.AddSymlink(l.Path, l.Target); break;
                case CharItem c: w.AddCharDevice(c.Path, c.Major, c.Minor, c.Permissions); break;
            }
        }
        w.Finish();
    }

    // Returns <cacheDir>/initramfs/<label>-<key>.cpio, building it first if absent.
    // Safe against concurrent builders: the archive is written to a temporary name and renamed.
    public string BuildCached(string cacheDirectory, string label)
    {
        string dir = Path.Combine(cacheDirectory, "initramfs");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{label}-{ComputeKey()[..20]}.cpio");
        if (File.Exists(path))
        {
            TryTouch(path);
            return path;
        }
        PruneOld(dir);
        string tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
                WriteTo(fs);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return path;
    }

    InitramfsBuilder AddLeaf(Item item)
    {
        if (item.Path.Length == 0)
            throw new ArgumentException("the root cannot be a file");
        AddParents(item.Path);
        if (!_paths.Add(item.Path))
            _items.RemoveAll(i => i.Path == item.Path); // the last addition wins
        _items.Add(item);
        return this;
    }

    void AddParents(string path)
    {
        int slash = path.LastIndexOf('/');
        if (slash > 0)
            AddDirectory(path[..slash]);
    }

    static string Canonical(string path) => path.Trim('/');

    static void TryTouch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    // Images unused for a week are stale (old kernels, old scripts).
    static void PruneOld(string dir)
    {
        foreach (string f in Directory.EnumerateFiles(dir))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(f) < DateTime.UtcNow.AddDays(-7))
                    File.Delete(f);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
