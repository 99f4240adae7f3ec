namespace Emu.Core.Objects;

/// <summary>
/// The ids users give objects (-device ...,id=, -chardev ...,id=, -object,
/// -drive, -netdev, QMP device_add). An id names the object in the tree
/// (/machine/peripheral/ID, /objects/ID), so it must be a valid tree name;
/// the rule is QEMU's (util/id.c, id_wellformed): a letter, then letters,
/// digits, '-', '.' and '_'. Checked before anything is created, so a bad id
/// never leaves a half-made object behind.
/// </summary>
public static class ObjectId
{
    /// <summary>True for a well-formed id.</summary>
    public static bool IsValid(string id)
    {
        if (id.Length == 0 || !char.IsAsciiLetter(id[0]))
            return false;
        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_'))
                return false;
        }
        return true;
    }

    /// <summary>Throws <see cref="PropertyValueException"/> for an id that is not well formed.</summary>
    public static void Check(string id)
    {
        if (!IsValid(id))
            throw new PropertyValueException($"invalid id '{id}': an id starts with a letter and has only letters, digits, '-', '.' and '_'");
    }
}
