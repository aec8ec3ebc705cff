using System.Text;

namespace Edge.Gateway.Hardware.Bridge;

/// <summary>
/// Reads LF-terminated lines from a stream with a hard bound on line length: a peer that sends an endless line or
/// binary garbage costs a counted discard, never unbounded memory.
/// </summary>
public sealed class LineReader(Stream stream, int maxLine)
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _line = new byte[maxLine];
    private int _start;
    private int _end;
    private int _length;
    private bool _discarding;

    /// <summary>True while bytes read from the stream wait to be returned as lines.</summary>
    public bool Buffered => Volatile.Read(ref _start) < Volatile.Read(ref _end);

    /// <summary>Lines that were too long (or not ASCII text) and were dropped.</summary>
    public long Discarded { get; private set; }

    /// <summary>The next line without its LF (and CR), or null at the end of the stream.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryTake() is { } line)
            {
                return line;
            }

            if (!Filled(await stream.ReadAsync(_buffer, ct).ConfigureAwait(false)))
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The next line, blocking the calling thread while the stream has none: for a reader on a thread of its own, woken
    /// by the kernel rather than by the thread pool. Unblocked by closing the stream.
    /// </summary>
    public string? ReadLine()
    {
        while (true)
        {
            if (TryTake() is { } line)
            {
                return line;
            }

            if (!Filled(stream.Read(_buffer)))
            {
                return null;
            }
        }
    }

    /// <summary>The next whole line of the bytes already read, or null when they hold none (they are then all used).</summary>
    private string? TryTake()
    {
        while (_start < _end)
        {
            var b = _buffer[_start++];
            if (b == (byte)'\n')
            {
                var wasDiscarding = _discarding;
                var length = _length;
                _length = 0;
                _discarding = false;
                if (wasDiscarding)
                {
                    continue;
                }

                if (length > 0 && _line[length - 1] == (byte)'\r')
                {
                    length--;
                }

                return Encoding.ASCII.GetString(_line, 0, length);
            }

            if (_discarding)
            {
                continue;
            }

            if (_length == _line.Length || b > 0x7E || (b < 0x20 && b != (byte)'\r'))
            {
                _discarding = true;
                Discarded++;
                continue;
            }

            _line[_length++] = b;
        }

        _start = 0;
        _end = 0;
        return null;
    }

    /// <summary>Takes <paramref name="read"/> new bytes; false at the end of the stream.</summary>
    private bool Filled(int read)
    {
        _end = read;
        return read > 0;
    }
}
