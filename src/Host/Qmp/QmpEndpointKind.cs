namespace Emu.Host.Qmp;

/// <summary>The kinds of socket a QMP server listens on.</summary>
internal enum QmpEndpointKind
{
    Unix,
    Tcp,
}
