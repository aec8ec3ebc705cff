using System.Buffers.Binary;
using Edge.Gateway.Access.Osdp;

namespace Edge.Simulator.Devices;

// Over 300 lines: one reader's protocol state (sequence, secure channel, reports, outputs, its misbehaviours) under one lock, as a real reader answers one command at a time.
/// <summary>
/// A simulated OSDP reader (a peripheral device at one address on a <see cref="SimOsdpLine"/>): answers ID and CAP
/// (four inputs, LED, buzzer, secure channel when it has a key), takes part in the secure channel, and answers each
/// POLL with the oldest waiting report: a card read (osdp_RAW or osdp_FMT), keypad keys, an input change (osdp_ISTATR),
/// a tamper or power change (osdp_LSTATR), or an ACK. It follows the LED and buzzer commands it gets. Sequence 0
/// starts it afresh (the secure channel too); a repeated sequence number gets the last reply again, as OSDP requires.
/// It can fall silent or put noise on the line, and misbehave as readers in the field do: refuse every command with a
/// NAK, require the secure channel, refuse the LED and buzzer, or spoil the MAC of its secure replies.
/// </summary>
public sealed class SimOsdpReader
{
    private readonly Lock _lock = new();
    private byte[]? _key;
    private readonly byte[] _uid;
    private readonly Queue<(byte Code, byte[] Data)> _reports = new();
    private readonly byte[] _inputs = new byte[4];
    private readonly Random _random;
    private OsdpSecureChannel? _channel;
    private int? _lastSequence;
    private byte[]? _lastReply;
    private bool _tamper;
    private bool _powerFailed;
    private long _answered;
    private long _received;
    private long _refused;
    private long _inputStatusAnswered;

    public SimOsdpReader(byte address, byte[]? key)
    {
        Address = address;
        _key = key;
        _uid = [0x45, 0x44, 0x47, 0x45, 0x00, 0x00, 0x00, address];
        _random = new Random(address);
    }

    public byte Address { get; }

    /// <summary>
    /// A new reader in install mode: it has no key of its own yet, takes the secure channel with the install key
    /// SCBK-D, and keeps the key an osdp_KEYSET gives it (then it is no longer in install mode).
    /// </summary>
    public bool InstallMode { get; set; }

    /// <summary>The reader's secure channel base key: what it was made with, or what osdp_KEYSET gave it.</summary>
    public byte[]? Key
    {
        get
        {
            lock (_lock)
            {
                return _key?.ToArray();
            }
        }
    }

    /// <summary>A silent reader answers nothing (unplugged, broken).</summary>
    public bool Silent { get; set; }

    /// <summary>Bytes of noise sent before each reply (a noisy RS-485 line).</summary>
    public int NoiseBytes { get; set; }

    /// <summary>Every command sent to the reader's address and taken off the line, answered or not: the line's cost of this reader.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Every command is answered with an osdp_NAK of this error code (a reader that refuses everything); null: none.</summary>
    public byte? RefuseWith { get; set; }

    /// <summary>The reader takes nothing but osdp_ID, osdp_CAP and the handshake in the clear (NAK 0x06 otherwise).</summary>
    public bool RequireSecureChannel { get; set; }

    /// <summary>The reader has neither LED nor buzzer it lets the panel drive: osdp_LED and osdp_BUZ get NAK 0x03.</summary>
    public bool RefuseOutputs { get; set; }

    /// <summary>The MAC of every secure reply is wrong (a broken secure implementation, or a reader in the middle).</summary>
    public bool SpoilMacs { get; set; }

    /// <summary>Commands answered with an osdp_NAK.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Commands answered.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>osdp_ISTAT commands answered: the control panel has read the inputs as they are.</summary>
    public long InputStatusAnswered => Interlocked.Read(ref _inputStatusAnswered);

    /// <summary>The LED's permanent colour as last commanded, and whether it flashes.</summary>
    public (byte Color, bool Flashing) Led { get; private set; }

    /// <summary>True while the buzzer sounds as last commanded.</summary>
    public bool Buzzing { get; private set; }

    /// <summary>True while the secure channel is up.</summary>
    public bool Secure
    {
        get
        {
            lock (_lock)
            {
                return _channel is { Established: true };
            }
        }
    }

    /// <summary>The reader's case is open (reported with the next POLL), or closed again.</summary>
    public bool Tamper
    {
        set => Status(value, _powerFailed);
    }

    /// <summary>The reader lost its power supply (reported with the next POLL), or has it back.</summary>
    public bool PowerFailed
    {
        set => Status(_tamper, value);
    }

    /// <summary>A card is presented: its Wiegand bits go out in an osdp_RAW report.</summary>
    public void Present(bool[] bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
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

        Report(OsdpReply.Raw, data);
    }

    /// <summary>A card whose number the reader sends as text (osdp_FMT).</summary>
    public void PresentFormatted(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        Report(OsdpReply.Formatted, [0, 0, (byte)digits.Length, .. System.Text.Encoding.ASCII.GetBytes(digits)]);
    }

    /// <summary>Keys typed on the keypad (osdp_KEYPPAD).</summary>
    public void Type(string keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Report(OsdpReply.Keypad, [0, (byte)keys.Length, .. System.Text.Encoding.ASCII.GetBytes(keys)]);
    }

    /// <summary>
    /// Raised when the control panel switches an output (osdp_OUT): its number, on or off, and for how long when on by a
    /// timer (control code 5). Raised on the line's thread, inside the reader's lock: handlers hand the work on.
    /// </summary>
    public event Action<int, bool, TimeSpan?>? OutputSwitched;

    private void Outputs(byte[] records)
    {
        for (var i = 0; i + 3 < records.Length; i += 4)
        {
            var (output, code, tenths) = (records[i], records[i + 1], records[i + 2] | (records[i + 3] << 8));
            switch (code)
            {
                case 1 or 3:
                    OutputSwitched?.Invoke(output, false, null);
                    break;
                case 2 or 4:
                    OutputSwitched?.Invoke(output, true, null);
                    break;
                case 5:
                    OutputSwitched?.Invoke(output, true, TimeSpan.FromMilliseconds(100 * tenths));
                    break;
            }
        }
    }

    /// <summary>Input <paramref name="input"/> (0-3) becomes active or inactive: an osdp_ISTATR report of all inputs.</summary>
    public void SetInput(int input, bool active)
    {
        lock (_lock)
        {
            _inputs[input] = active ? (byte)1 : (byte)0;
            _reports.Enqueue((OsdpReply.InputStatus, _inputs.ToArray()));
        }
    }

    private void Status(bool tamper, bool powerFailed)
    {
        lock (_lock)
        {
            (_tamper, _powerFailed) = (tamper, powerFailed);
            _reports.Enqueue((OsdpReply.LocalStatus, [(byte)(tamper ? 1 : 0), (byte)(powerFailed ? 1 : 0)]));
        }
    }

    private void Report(byte code, byte[] data)
    {
        lock (_lock)
        {
            _reports.Enqueue((code, data));
        }
    }

    /// <summary>The bytes to put on the line for a command to this reader (noise first, if any), or null for none.</summary>
    public byte[]? Handle(OsdpPacket command)
    {
        ArgumentNullException.ThrowIfNull(command);
        byte[] reply;
        Interlocked.Increment(ref _received);
        lock (_lock)
        {
            if (Silent)
            {
                return null;
            }

            if (command.Sequence == 0)
            {
                _channel = null;
                _lastSequence = null;
            }

            if (command.Sequence != 0 && command.Sequence == _lastSequence && _lastReply is not null)
            {
                reply = _lastReply;
            }
            else
            {
                if (Answer(command) is not { } packet)
                {
                    return null;
                }

                reply = OsdpCodec.Encode(packet);
                if (packet.Code == OsdpReply.Nak)
                {
                    Interlocked.Increment(ref _refused);
                }

                _lastSequence = command.Sequence;
                _lastReply = reply;
            }
        }

        Interlocked.Increment(ref _answered);
        if (NoiseBytes == 0)
        {
            return reply;
        }

        var noisy = new byte[NoiseBytes + reply.Length];
        _random.NextBytes(noisy.AsSpan(0, NoiseBytes));
        reply.CopyTo(noisy, NoiseBytes);
        return noisy;
    }

    private OsdpPacket? Answer(OsdpPacket command)
    {
        OsdpPacket Reply(byte code, byte[] data) => new(Address, true, command.Sequence, code, data);
        if (RefuseWith is { } refusal)
        {
            return Reply(OsdpReply.Nak, [refusal]);
        }

        if (RequireSecureChannel && command.SecurityBlock is null
            && command.Code is not (OsdpCommand.Id or OsdpCommand.Cap or OsdpCommand.Challenge or OsdpCommand.ServerCryptogram))
        {
            return Reply(OsdpReply.Nak, [OsdpNak.SecureChannelRequired]);
        }

        switch (command.Code)
        {
            case OsdpCommand.Challenge:
                // The challenge says which key: SCBK, or the install key SCBK-D (only a reader in install mode takes it).
                var installKey = command.SecurityBlock is { Length: >= 3 } block && block.Span[2] == 0;
                var key = installKey ? (InstallMode ? OsdpCrypto.InstallKey.ToArray() : null) : _key;
                _channel = key is null ? null : new OsdpSecureChannel(key, installKey);
                return _channel?.OnChallenge(command, _uid) ?? Reply(OsdpReply.Nak, [0x05]);
            case OsdpCommand.ServerCryptogram:
                return _channel?.OnServerCryptogram(command) ?? Reply(OsdpReply.Nak, [0x05]);
        }

        var plain = command;
        if (command.SecurityBlock is not null)
        {
            if (_channel is not { Established: true } || _channel.OpenCommand(command) is not { } opened)
            {
                return Reply(OsdpReply.Nak, [0x06]);
            }

            plain = opened;
        }

        var answer = plain.Code switch
        {
            OsdpCommand.Id => Reply(OsdpReply.PdId, [0x45, 0x44, 0x47, 0x01, 0x01, .. _uid[4..], 0x02, 0x02, 0x00]),
            OsdpCommand.Cap => Reply(OsdpReply.PdCap, [0x01, 0x01, 0x04, 0x03, 0x01, 0x01, 0x04, 0x01, 0x01, 0x05, 0x01, 0x01, 0x09, (byte)(_key is null && !InstallMode ? 0 : 1), 0x01]),
            // osdp_KEYSET: only over the secure channel; type 1 (SCBK), 16 bytes. The session goes on with its keys.
            OsdpCommand.KeySet when command.SecurityBlock is not null && plain.Data.Length == 18 && plain.Data.Span[0] == 1 && plain.Data.Span[1] == 16
                => Follow(() => (_key, InstallMode) = (plain.Data.Span[2..].ToArray(), false)),
            OsdpCommand.KeySet => Reply(OsdpReply.Nak, [0x05]),
            OsdpCommand.InputStatus => InputsAsTheyAre(),
            OsdpCommand.LocalStatus => Reply(OsdpReply.LocalStatus, [(byte)(_tamper ? 1 : 0), (byte)(_powerFailed ? 1 : 0)]),
            OsdpCommand.Led or OsdpCommand.Buzzer or OsdpCommand.Output when RefuseOutputs => Reply(OsdpReply.Nak, [OsdpNak.UnknownCommand]),
            // osdp_OUT: records of output, control code, timer (100 ms units, LSB first).
            OsdpCommand.Output when plain.Data.Length >= 4 && plain.Data.Length % 4 == 0 => Follow(() => Outputs(plain.Data.ToArray())),
            OsdpCommand.Output => Reply(OsdpReply.Nak, [0x02]),
            OsdpCommand.Led when plain.Data.Length >= 14 => Follow(() => Led = (plain.Data.Span[12], plain.Data.Span[11] != 0)),
            OsdpCommand.Buzzer when plain.Data.Length >= 5 => Follow(() => Buzzing = plain.Data.Span[1] == 2),
            OsdpCommand.Led or OsdpCommand.Buzzer => Reply(OsdpReply.Nak, [0x02]),
            OsdpCommand.Poll when _reports.TryDequeue(out var report) => Reply(report.Code, report.Data),
            _ => Reply(OsdpReply.Ack, []),
        };
        if (command.SecurityBlock is null)
        {
            return answer;
        }

        var secured = _channel!.ProtectReply(answer);
        return SpoilMacs && secured.Mac is { } mac ? secured with { Mac = mac.ToArray().Select(b => (byte)~b).ToArray() } : secured;

        // The answer tells the inputs as they are now, so the changes still waiting to be reported are old news: a
        // reader reports a change since its last report, not a history the control panel would replay out of order.
        OsdpPacket InputsAsTheyAre()
        {
            var others = _reports.Where(r => r.Code != OsdpReply.InputStatus).ToArray();
            _reports.Clear();
            foreach (var report in others)
            {
                _reports.Enqueue(report);
            }

            Interlocked.Increment(ref _inputStatusAnswered);
            return Reply(OsdpReply.InputStatus, _inputs.ToArray());
        }

        OsdpPacket Follow(Action act)
        {
            act();
            return Reply(OsdpReply.Ack, []);
        }
    }
}
