using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Edge.Gateway.Access.Osdp;

namespace Edge.Simulator.Devices;

/// <summary>
/// A simulated OSDP reader (peripheral device) over TCP: answers ID and CAP, takes part in the secure channel when it
/// has a key, and answers each POLL with a queued card read (osdp_RAW), a tamper report (osdp_LSTATR) or an ACK. A
/// repeated sequence number gets the last reply again, as OSDP requires. It can fall silent or send garbage.
/// </summary>
public sealed class SimOsdpReader : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly byte _address;
    private readonly byte[]? _key;
    private readonly byte[] _uid = [0x45, 0x44, 0x47, 0x45, 0x00, 0x00, 0x00, 0x01];
    private readonly ConcurrentQueue<bool[]> _cards = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private bool _tamperReported;

    public SimOsdpReader(byte address, byte[]? key)
    {
        _address = address;
        _key = key;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = Task.Run(() => Network.AcceptLoop.RunAsync(_listener, ServeAsync, _stop.Token));
    }

    public Uri Endpoint => new($"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>A silent reader answers nothing (unplugged, broken).</summary>
    public bool Silent { get; set; }

    /// <summary>The reader's case is open.</summary>
    public bool Tamper { get; set; }

    /// <summary>Bytes of noise sent before each reply (a noisy RS-485 line).</summary>
    public int NoiseBytes { get; set; }

    /// <summary>Commands answered.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    private long _answered;

    /// <summary>A card is presented: its Wiegand bits go out with the next POLL's reply.</summary>
    public void Present(bool[] bits) => _cards.Enqueue(bits);

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var channel = _key is null ? null : new OsdpSecureChannel(_key);
        var buffer = new byte[1024];
        var random = new Random(7);
        int? lastSequence = null;
        byte[]? lastReply = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                foreach (var command in reader.Append(buffer.AsSpan(0, n)))
                {
                    if (command.IsReply || command.Address != _address || Silent)
                    {
                        continue;
                    }

                    byte[] reply;
                    if (command.Sequence != 0 && command.Sequence == lastSequence && lastReply is not null)
                    {
                        reply = lastReply;
                    }
                    else
                    {
                        var packet = Answer(command, channel);
                        if (packet is null)
                        {
                            continue;
                        }

                        reply = OsdpCodec.Encode(packet);
                        lastSequence = command.Sequence;
                        lastReply = reply;
                    }

                    if (NoiseBytes > 0)
                    {
                        var noise = new byte[NoiseBytes];
                        random.NextBytes(noise);
                        await stream.WriteAsync(noise, ct).ConfigureAwait(false);
                    }

                    await stream.WriteAsync(reply, ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _answered);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private OsdpPacket? Answer(OsdpPacket command, OsdpSecureChannel? channel)
    {
        OsdpPacket Reply(byte code, byte[] data) => new(_address, true, command.Sequence, code, data);
        switch (command.Code)
        {
            case OsdpCommand.Challenge:
                return channel?.OnChallenge(command, _uid) ?? Reply(OsdpReply.Nak, [0x05]);
            case OsdpCommand.ServerCryptogram:
                return channel?.OnServerCryptogram(command) ?? Reply(OsdpReply.Nak, [0x05]);
        }

        var plain = command;
        if (command.SecurityBlock is not null)
        {
            if (channel is not { Established: true } || channel.OpenCommand(command) is not { } opened)
            {
                return Reply(OsdpReply.Nak, [0x06]);
            }

            plain = opened;
        }

        var answer = plain.Code switch
        {
            OsdpCommand.Id => Reply(OsdpReply.PdId, [0x45, 0x44, 0x47, 0x01, 0x01, .. _uid[4..], 0x02, 0x02, 0x00]),
            OsdpCommand.Cap => Reply(OsdpReply.PdCap, [0x04, 0x01, 0x01, 0x09, 0x01, 0x01]),
            OsdpCommand.Poll when _cards.TryDequeue(out var bits) => Reply(OsdpReply.Raw, Raw(bits)),
            OsdpCommand.Poll when Tamper != _tamperReported => Tampered(),
            _ => Reply(OsdpReply.Ack, []),
        };
        return command.SecurityBlock is not null ? channel!.ProtectReply(answer) : answer;

        OsdpPacket Tampered()
        {
            _tamperReported = Tamper;
            return Reply(OsdpReply.LocalStatus, [(byte)(Tamper ? 1 : 0), 0]);
        }
    }

    /// <summary>osdp_RAW: reader 0, format 1 (Wiegand), bit count (LSB first), the bits packed MSB first.</summary>
    private static byte[] Raw(bool[] bits)
    {
        var data = new byte[4 + ((bits.Length + 7) / 8)];
        data[1] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), (ushort)bits.Length);
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                data[4 + (i / 8)] |= (byte)(0x80 >> (i % 8));
            }
        }

        return data;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accept.ConfigureAwait(false);
        _stop.Dispose();
    }
}
