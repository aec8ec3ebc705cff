using System.Device.Gpio;
using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Access;

/// <summary>
/// A Wiegand reader on an in-memory driver and a fake clock: a frame ends after its gap of silence, measured on the
/// clock the test moves. (GpioAccessTests reads a card through the simulator's bridge.)
/// </summary>
public sealed class WiegandReaderAdapterTests : IAsyncLifetime
{
    private const int D0 = 20, D1 = 21;
    private static readonly byte[] Secret = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero));
    private readonly MemoryGpioDriver _pins = new();
    private readonly RecordingSink _sink = new();
    private readonly CardPrivacy _privacy = new(Secret);
    private GpioController _gpio = null!;
    private DateTimeOffset? _knownUntil;
    private WiegandReaderAdapter _reader = null!;

    public async ValueTask InitializeAsync()
    {
        _gpio = new GpioController(_pins);
        var inputs = new Edge.Gateway.Hardware.InputClock(_time, () => _knownUntil ?? _time.GetUtcNow());
        _reader = new WiegandReaderAdapter(new WiegandReaderOptions { Id = "reader-001", D0 = D0, D1 = D1, Door = "door-001", FrameGap = TimeSpan.FromMilliseconds(25) },
            _gpio, _sink, _privacy, _time, inputs);
        await _reader.StartAsync(CancellationToken.None);
    }

    /// <summary>Sends bits 2 ms apart, as readers do: a low pulse on D0 for a 0, on D1 for a 1.</summary>
    private void Send(IEnumerable<bool> bits)
    {
        foreach (var bit in bits)
        {
            _pins.Pulse(bit ? D1 : D0);
            _time.Advance(TimeSpan.FromMilliseconds(2));
        }
    }

    [Fact]
    public async Task A_frame_ends_after_its_gap_of_silence_and_is_a_card_at_the_time_of_its_last_bit()
    {
        var bits = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345);
        Send(bits);
        var lastBit = _time.GetUtcNow() - TimeSpan.FromMilliseconds(2);
        _time.Advance(TimeSpan.FromMilliseconds(22));
        Assert.Empty(_sink.Drafts);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.True(() => _sink.Drafts.Count == 1, "the card");
        var card = _sink.Drafts.Single();
        Assert.Equal((EventTypes.AccessCard, "reader-001", lastBit), (card.Type, card.Device.Id, card.OccurredAt));
        Assert.Equal(_privacy.Hash("H10301", 18, 12345), (string?)card.Data!["card"]!["hash"]);
        Assert.Equal(_privacy.KeyId, (string?)card.Data!["card"]!["key"]);
    }

    [Fact]
    public async Task A_pause_longer_than_the_gap_inside_a_frame_cuts_it_in_two_bad_frames_never_a_card()
    {
        var bits = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345);
        Send(bits.Take(13));
        _time.Advance(TimeSpan.FromMilliseconds(30));
        Send(bits.Skip(13));
        _time.Advance(TimeSpan.FromMilliseconds(30));

        await Eventually.True(() => _reader.InvalidFrames == 2, "two bad frames");
        await Eventually.True(() => !_sink.Drafts.IsEmpty, "a fault");
        Assert.All(_sink.Drafts, d => Assert.Equal(EventTypes.DeviceFault, d.Type));
    }

    /// <summary>Bits as a reader sent them, 2 ms apart from <paramref name="start"/>, handed to the gateway now.</summary>
    private void Deliver(IEnumerable<bool> bits, DateTimeOffset start)
    {
        var at = start;
        foreach (var bit in bits)
        {
            var pin = bit ? D1 : D0;
            _pins.Set(pin, false, at);
            _pins.Set(pin, true, at + TimeSpan.FromTicks(500));
            at += TimeSpan.FromMilliseconds(2);
        }
    }

    [Fact]
    public async Task A_frame_whose_second_half_is_read_after_a_stall_is_one_card()
    {
        var bits = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345);
        var start = _time.GetUtcNow();
        _knownUntil = start + TimeSpan.FromMilliseconds(24);
        Deliver(bits.Take(13), start);

        // The gateway stalls 100 ms before it reads the rest: on the clock the frame looks over, on the lines it is not.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Deliver(bits.Skip(13), start + TimeSpan.FromMilliseconds(26));
        _knownUntil = null;
        _time.Advance(TimeSpan.FromMilliseconds(30));

        await Eventually.True(() => !_sink.Drafts.IsEmpty, "the card");
        var card = Assert.Single(_sink.Drafts);
        Assert.Equal(EventTypes.AccessCard, card.Type);
        Assert.Equal(0, _reader.InvalidFrames);
    }

    [Fact]
    public async Task Two_frames_read_together_are_two_cards_when_their_bits_came_apart()
    {
        var first = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 1);
        var second = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 2);
        var start = _time.GetUtcNow() - TimeSpan.FromSeconds(1);

        Deliver(first, start);
        Deliver(second, start + TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromMilliseconds(30));

        await Eventually.True(() => _sink.Drafts.Count == 2, "two cards");
        Assert.Equal([_privacy.Hash("H10301", 18, 1), _privacy.Hash("H10301", 18, 2)], _sink.Drafts.Select(d => (string?)d.Data!["card"]!["hash"]));
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.StopAsync(CancellationToken.None);
        _reader.Dispose();
        _gpio.Dispose();
        _privacy.Dispose();
    }
}
