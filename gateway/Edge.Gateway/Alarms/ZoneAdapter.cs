using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Common;
using Edge.Gateway.Events;
using Edge.Gateway.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Alarms;

/// <summary>
/// Samples supervised zones through an ADC (Iot.Device.Adc's MCP3008 in production, read through <c>readAdc</c>) at
/// 20 Hz and reports their states: <c>alarm.zone</c>, <c>alarm.tamper</c> (short) and <c>alarm.cut</c> (open loop),
/// each active and restored. A reading that fails is a <c>device.fault</c>, reported once per episode, and never a
/// state change.
/// </summary>
public sealed partial class ZoneAdapter : BackgroundService
{
    /// <summary>20 Hz, the sampling rate the alarm issue asks for.</summary>
    public static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(50);

    private readonly List<Zone> _zones;
    private readonly Func<int, int> _readAdc;
    private readonly Func<bool>? _present;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    /// <summary>When the adapter started (its clock's timestamp): samples are due a period apart from it.</summary>
    private long _startedAt;
    private readonly InputClock _inputs;
    private DateTimeOffset _sampledAt;

    /// <param name="readAdc">Reads one ADC channel in counts (0-1023 for an MCP3008); may throw on a bus error.</param>
    /// <param name="present">
    /// False while the converter is not there at all (the simulator's hardware bridge before it is ready, or unplugged):
    /// then nothing is sampled, so a converter that is not there is never read as a shorted loop. Its devices are
    /// reported offline by whoever watches the connection. Null for an ADC on the board, which is always there.
    /// </param>
    /// <param name="cursors">
    /// Where each zone's state was kept when the gateway last stopped (the outbox): a zone in alarm then is not raised
    /// again if it still is, and is restored if it no longer is.
    /// </param>
    /// <param name="inputs">Up to when the inputs are known: a reading counts as taken then, so a stall in reading the
    /// converter's changes never stretches a glitch past the dwell. The clock's time by default.</param>
    public ZoneAdapter(IEnumerable<ZoneOptions> zones, Func<int, int> readAdc, int adcFullScale, IEventSink sink, TimeProvider time, ILogger<ZoneAdapter> log,
        Func<bool>? present = null, ISourceCursors? cursors = null, InputClock? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(zones);
        _readAdc = readAdc;
        _present = present;
        _sink = sink;
        _time = time;
        _log = log;
        _inputs = inputs ?? new InputClock(time);
        _zones = zones.Select(z => new Zone(z, new LoopDivider(z.PullUpOhms, adcFullScale),
            new ZoneClassifier(z.Bands, z.Hysteresis, z.Dwell, StateOf(cursors?.Cursor(CursorKey(z.Id))?.State)))).ToList();
    }

    /// <summary>Readings that failed or made no sense.</summary>
    public long BadReadings { get; private set; }

    /// <summary>Starts the sampling clock before the loop, so sampling begins one period after start, not whenever the loop is scheduled.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = _time.GetTimestamp();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Samples on a thread of its own (<see cref="OwnThread"/>), a period apart: a zone opened is read and handed to the
    /// outbox on time, not after the camera and door work queued on the thread pool. Ticks missed while a sample took
    /// long are made up by one sample, as a periodic timer does.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => OwnThread.Run("edge-alarm-zones", () => Loop(stoppingToken));

    private void Loop(CancellationToken stoppingToken)
    {
        // Nothing sets it: only the clock ends each wait.
        using var clockOnly = OwnThread.NewSignal();
        var period = (long)(SamplePeriod.TotalSeconds * _time.TimestampFrequency);
        var tick = 1L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var due = _startedAt + (tick * period);
                if (_time.GetTimestamp() < due)
                {
                    OwnThread.WaitUntil(clockOnly, due, _time, stoppingToken);
                    continue;
                }

                tick = Math.Max(tick + 1, ((_time.GetTimestamp() - _startedAt) / period) + 1);
                if (_present is not null && !_present())
                {
                    continue;
                }

                foreach (var zone in _zones)
                {
                    Sample(zone, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Sample(Zone zone, CancellationToken ct)
    {
        var known = _inputs.KnownUntil();
        var now = _sampledAt = known > _sampledAt ? known : _sampledAt;
        double ohms;
        try
        {
            ohms = zone.Divider.Ohms(_readAdc(zone.Options.Channel));
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or TimeoutException)
        {
            ohms = double.NaN;
        }

        if (double.IsNaN(ohms))
        {
            BadReadings++;
            if (!zone.Faulted)
            {
                zone.Faulted = true;
                LogBadReading(zone.Options.Id, zone.Options.Channel);
                Submit(new EventDraft(EventTypes.DeviceFault, Priority.High, zone.Options.Device, EventState.Active, now,
                    new JsonObject { ["fault"] = "adc-reading", ["channel"] = zone.Options.Channel }), ct);
            }

            return;
        }

        if (zone.Faulted)
        {
            // The ADC reads again: the fault ends before the reading is judged.
            zone.Faulted = false;
            Submit(new EventDraft(EventTypes.DeviceFault, Priority.High, zone.Options.Device, EventState.Restored, now,
                new JsonObject { ["fault"] = "adc-reading", ["channel"] = zone.Options.Channel }), ct);
        }

        var before = zone.Classifier.State;
        if (zone.Classifier.Read(ohms, now) is not { } after)
        {
            return;
        }

        var data = new JsonObject { ["ohms"] = double.IsInfinity(ohms) ? null : Math.Round(ohms), ["channel"] = zone.Options.Channel };
        // The zone's state goes with the last event of the change, so a restarted gateway takes the zone back as it was.
        var cursor = new SourceCursor(CursorKey(zone.Options.Id), 0, TypeOf(after));
        if (TypeOf(before) is { } ended)
        {
            var restored = new EventDraft(ended, Priority.Critical, zone.Options.Device, EventState.Restored, now, data.DeepClone().AsObject());
            Submit(TypeOf(after) is null ? restored with { Cursor = cursor } : restored, ct);
        }

        if (TypeOf(after) is { } began)
        {
            Submit(new EventDraft(began, Priority.Critical, zone.Options.Device, EventState.Active, now, data, Cursor: cursor), ct);
        }
    }

    /// <summary>Hands an event to the outbox and waits for its commit: the loop's thread blocks, woken by the writer itself.</summary>
    private void Submit(EventDraft draft, CancellationToken ct) => _sink.SubmitAsync(draft, ct).GetAwaiter().GetResult();

    /// <summary>The outbox key of a zone's cursor (a zone has no numbering of its own: position 0, only its state).</summary>
    public static string CursorKey(string zoneId) => "zone:" + zoneId;

    /// <summary>The zone state an event type stands for, as kept with a zone's cursor; normal for none.</summary>
    private static ZoneState StateOf(string? type) => type switch
    {
        EventTypes.AlarmZone => ZoneState.Alarm,
        EventTypes.AlarmTamper => ZoneState.Tamper,
        EventTypes.AlarmCut => ZoneState.Cut,
        _ => ZoneState.Normal,
    };

    /// <summary>The event type of a zone state; none for normal.</summary>
    private static string? TypeOf(ZoneState state) => state switch
    {
        ZoneState.Alarm => EventTypes.AlarmZone,
        ZoneState.Tamper => EventTypes.AlarmTamper,
        ZoneState.Cut => EventTypes.AlarmCut,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Zone {Zone}: ADC channel {Channel} gave no usable reading")]
    private partial void LogBadReading(string zone, int channel);

    private sealed class Zone(ZoneOptions options, LoopDivider divider, ZoneClassifier classifier)
    {
        public ZoneOptions Options { get; } = options;

        public LoopDivider Divider { get; } = divider;

        public ZoneClassifier Classifier { get; } = classifier;

        public bool Faulted { get; set; }
    }
}
