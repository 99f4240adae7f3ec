namespace Emu.Core.Memory;

/// <summary>
/// The address spaces of one machine and the lock that serializes changes to
/// their region trees. Every change to a region re-renders the flat views and
/// sends the differences to listeners, unless a transaction is open, in which
/// case that happens once when the outermost transaction ends.
/// </summary>
public sealed class MemoryTopology
{
    private readonly object _lock = new();
    private readonly List<AddressSpace> _spaces = new();
    private int _depth;
    private bool _dirty;

    public IReadOnlyList<AddressSpace> AddressSpaces => _spaces;

    public AddressSpace CreateAddressSpace(string name, MemoryRegion root)
    {
        lock (_lock)
        {
            if (root.Parent != null)
                throw new InvalidOperationException($"'{root.Name}' has a parent and cannot be the root of '{name}'");
            var space = new AddressSpace(name, root, _lock);
            _spaces.Add(space);
            root.SetTopology(this);
            space.Render();
            return space;
        }
    }

    /// <summary>Batches region changes: the views are rendered once, when the returned scope ends.</summary>
    public TransactionScope BeginTransaction()
    {
        Monitor.Enter(_lock);
        _depth++;
        return new TransactionScope(this);
    }

    internal static void Mutate(MemoryTopology? topology, Action change)
    {
        if (topology == null)
        {
            change();
            return;
        }
        using (topology.BeginTransaction())
        {
            change();
            topology._dirty = true;
        }
    }

    private void EndTransaction()
    {
        try
        {
            if (--_depth == 0 && _dirty)
            {
                _dirty = false;
                foreach (AddressSpace space in _spaces)
                    space.Render();
            }
        }
        finally
        {
            Monitor.Exit(_lock);
        }
    }

    /// <summary>Ends a transaction opened by <see cref="BeginTransaction"/>.</summary>
    public readonly struct TransactionScope : IDisposable
    {
        private readonly MemoryTopology _owner;

        internal TransactionScope(MemoryTopology owner) => _owner = owner;

        public void Dispose() => _owner.EndTransaction();
    }
}
