namespace Emu.Host.Qmp;

/// <summary>
/// Splits the QMP input stream into top-level JSON values. QMP has no
/// delimiter between messages (clients usually end them with a newline, but
/// need not), so the framer follows JSON's structure: brackets and braces
/// outside strings, strings with their escapes, and bare words (a client
/// typing "garbage"). A value longer than the limit, or nested deeper, is an
/// error reported once; the framer keeps counting brackets through the rest of
/// it without storing it, and is in step again where that value ends, so one
/// bad message does not cost the connection.
/// </summary>
internal sealed class QmpMessageFramer
{
    public const int DefaultMaxMessageBytes = 1 << 20;
    public const int MaxDepth = 64;

    private enum State
    {
        Idle,
        Container,
        TopString,
        BareWord,
    }

    private readonly int _limit;
    private byte[] _buffer = new byte[256];
    private int _length;
    private State _state;
    private int _depth;
    private bool _inString;
    private bool _escape;
    private QmpFrameKind? _dropping;

    public QmpMessageFramer(int maxMessageBytes = DefaultMaxMessageBytes) => _limit = maxMessageBytes;

    /// <summary>Consumes <paramref name="data"/> entirely, adding each finished frame to <paramref name="frames"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data, List<QmpFrame> frames)
    {
        int i = 0;
        while (i < data.Length)
        {
            byte b = data[i];
            switch (_state)
            {
                case State.Idle:
                    i++;
                    if (IsSpace(b))
                        break;
                    if (b is (byte)'}' or (byte)']')
                    {
                        frames.Add(QmpFrame.Error(QmpFrameKind.Unbalanced));
                        break;
                    }
                    Begin(b);
                    break;
                case State.Container:
                    i++;
                    Append(b, frames);
                    if (_inString)
                    {
                        if (_escape)
                            _escape = false;
                        else if (b == '\\')
                            _escape = true;
                        else if (b == '"')
                            _inString = false;
                    }
                    else if (b == '"')
                    {
                        _inString = true;
                    }
                    else if (b is (byte)'{' or (byte)'[')
                    {
                        if (++_depth > MaxDepth && _dropping == null)
                        {
                            _dropping = QmpFrameKind.TooDeep;
                            frames.Add(QmpFrame.Error(QmpFrameKind.TooDeep));
                        }
                    }
                    else if (b is (byte)'}' or (byte)']')
                    {
                        if (--_depth == 0)
                            Finish(frames);
                    }
                    break;
                case State.TopString:
                    i++;
                    Append(b, frames);
                    if (_escape)
                        _escape = false;
                    else if (b == '\\')
                        _escape = true;
                    else if (b == '"')
                        Finish(frames);
                    break;
                case State.BareWord:
                    if (IsSpace(b) || b is (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)'"' or (byte)',' or (byte)':')
                    {
                        Finish(frames); // the delimiter is looked at again from Idle
                        break;
                    }
                    i++;
                    Append(b, frames);
                    break;
            }
        }
    }

    private void Begin(byte first)
    {
        _length = 0;
        _dropping = null;
        _inString = false;
        _escape = false;
        _buffer[_length++] = first;
        if (first is (byte)'{' or (byte)'[')
        {
            _state = State.Container;
            _depth = 1;
        }
        else if (first == '"')
        {
            _state = State.TopString;
        }
        else
        {
            _state = State.BareWord;
        }
    }

    private void Append(byte b, List<QmpFrame> frames)
    {
        if (_dropping != null)
            return;
        if (_length >= _limit)
        {
            _dropping = QmpFrameKind.TooLarge;
            frames.Add(QmpFrame.Error(QmpFrameKind.TooLarge));
            return;
        }
        if (_length == _buffer.Length)
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _limit));
        _buffer[_length++] = b;
    }

    private void Finish(List<QmpFrame> frames)
    {
        if (_dropping == null)
            frames.Add(new QmpFrame(QmpFrameKind.Message, _buffer.AsSpan(0, _length).ToArray()));
        _state = State.Idle;
        _dropping = null;
        _length = 0;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
