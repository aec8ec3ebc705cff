using System.Device.Gpio;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Common;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Access;

/// <summary>
/// A Wiegand reader on the gateway's GPIO: each card becomes <c>access.card</c> with the card's keyed hash (the door's
/// decision is the lock controller's, not the gateway's). Keypad keys are counted. Frames with bad parity or an
/// unknown length are a <c>device.fault</c> at most every 10 s (with how many there were), never a card.
/// </summary>
public sealed class WiegandReaderAdapter : BackgroundService
{
    private static readonly TimeSpan FaultEvery = TimeSpan.FromSeconds(10);
    private readonly WiegandReaderOptions _options;
    private readonly WiegandReceiver _receiver;
    private readonly IEventSink _sink;
    private readonly CardPrivacy _privacy;
    private readonly TimeProvider _time;
    private readonly LogLimiter _faults;
    private readonly Channel<(WiegandRead Read, DateTimeOffset At)> _frames = Channel.CreateBounded<(WiegandRead, DateTimeOffset)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private long _keys;

    /// <param name="inputs">When the bits came and up to when the inputs are known; the clock's time by default.</param>
    public WiegandReaderAdapter(WiegandReaderOptions options, GpioController gpio, IEventSink sink, CardPrivacy privacy, TimeProvider time, Hardware.InputClock? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _sink = sink;
        _privacy = privacy;
        _time = time;
        _faults = new LogLimiter(time, FaultEvery);
        _receiver = new WiegandReceiver(gpio, options.D0, options.D1, time, options.Format37, options.FrameGap, inputs);
        _receiver.FrameReceived += (read, at) => _frames.Writer.TryWrite((read, at));
    }

    /// <summary>Keypad keys received.</summary>
    public long Keys => Interlocked.Read(ref _keys);

    /// <summary>Frames that were neither a card nor a key.</summary>
    public long InvalidFrames => _receiver.Invalid;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (read, at) in _frames.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (read.IsKey)
                {
                    Interlocked.Increment(ref _keys);
                }
                else if (read.IsCard)
                {
                    await _sink.SubmitAsync(CardEvents.Card(_options.Device, _options.Door, read, _privacy, at), stoppingToken).ConfigureAwait(false);
                }
                else if (_faults.TryEnter(out var heldBack))
                {
                    await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, at,
                        new JsonObject { ["fault"] = "wiegand-frame", ["error"] = read.Error, ["since"] = heldBack }), stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _receiver.Dispose();
        base.Dispose();
    }
}
