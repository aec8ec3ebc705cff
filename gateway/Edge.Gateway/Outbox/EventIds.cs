using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Edge.Gateway.Outbox;

/// <summary>
/// Event ids: UUIDv7 (RFC 9562) of the millisecond an event was observed, as <see cref="Guid.CreateVersion7(DateTimeOffset)"/>
/// makes them, with their random bits drawn from the kernel's secure generator (<c>/dev/urandom</c>) a few hundred ids
/// at a time. Each <see cref="Guid.CreateVersion7(DateTimeOffset)"/> reads the generator on its own, a system call per
/// event that was a twentieth of the outbox writer's time in a flood. Not <see cref="RandomNumberGenerator"/>, which
/// loads OpenSSL: a gateway without TLS runs without it (and aborted at its first event where it was missing). Not
/// thread-safe: the writer's loop alone makes ids.
/// </summary>
internal sealed class EventIds : IDisposable
{
    /// <summary>The kernel's generator, kept open; null where there is none (not Linux), and the runtime's is used.</summary>
    private readonly FileStream? _urandom = File.Exists("/dev/urandom")
        ? new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0)
        : null;

    /// <summary>Random bytes per id: the 74 random bits of a UUIDv7 need ten, and sixteen keep each id's bytes apart.</summary>
    private const int BytesPerId = 16;
    private readonly byte[] _random = new byte[256 * BytesPerId];
    private int _next = 256 * BytesPerId;

    /// <summary>A new id whose time field is <paramref name="observed"/>, to the millisecond (from 1970 on).</summary>
    public Guid Next(DateTimeOffset observed)
    {
        var milliseconds = observed.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds, nameof(observed));
        if (_next == _random.Length)
        {
            if (_urandom is null)
            {
                RandomNumberGenerator.Fill(_random);
            }
            else
            {
                _urandom.ReadExactly(_random);
            }

            _next = 0;
        }

        Span<byte> id = stackalloc byte[16];
        _random.AsSpan(_next, BytesPerId).CopyTo(id);
        _next += BytesPerId;

        // unix_ts_ms (48 bits), then ver = 7 above 12 random bits, then var = 0b10 above 62 random bits; big-endian.
        BinaryPrimitives.WriteInt64BigEndian(id, (milliseconds << 16) | BinaryPrimitives.ReadUInt16BigEndian(id[6..]));
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return new Guid(id, bigEndian: true);
    }

    public void Dispose() => _urandom?.Dispose();
}
