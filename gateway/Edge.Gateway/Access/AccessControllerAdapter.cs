using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Access.Isapi;
using Edge.Gateway.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access;

/// <summary>
/// Reads the gateway's ISAPI access controllers and turns their events into the contract's: access.granted and
/// access.denied (with the card's keyed hash, never its number unless configured), door.opened, door.closed,
/// door.forced and door.held-open (restored when the door closes), device.tamper, and device.offline / device.online
/// when a controller goes silent past its timeout and comes back. Events a controller sends again after a reconnect
/// (same serial number) are dropped; codes it does not know are counted, never guessed.
/// </summary>
public sealed partial class AccessControllerAdapter : BackgroundService
{
    private const int RememberedSerials = 1024;
    private readonly IReadOnlyList<Controller> _controllers;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly CardPrivacy _privacy;
    private readonly ILogger _log;

    public AccessControllerAdapter(AccessOptions options, IEventSink sink, CardPrivacy privacy, TimeProvider time, ILoggerFactory loggers, Func<AccessControllerOptions, HttpMessageHandler?>? handlers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _sink = sink;
        _time = time;
        _log = loggers.CreateLogger<AccessControllerAdapter>();
        _privacy = privacy;
        _controllers = options.Controllers.Select(c => new Controller(c, new IsapiClient(new Uri(c.Url), c.User, c.Password, c.SilenceTimeout, time,
            loggers.CreateLogger<IsapiClient>(), handlers?.Invoke(c)))).ToList();
    }

    /// <summary>Access controller events whose codes have no meaning in the contract.</summary>
    public long UnknownCodes => Interlocked.Read(ref _unknownCodes);

    private long _unknownCodes;
    private long _repeats;

    /// <summary>Events dropped because the controller had sent them already (same serial number).</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>The ISAPI client of a controller (remote door open, counters).</summary>
    public IsapiClient Client(string controllerId) => _controllers.First(c => c.Options.Id == controllerId).Client;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_controllers.SelectMany(c => new[]
        {
            c.Client.RunAlertStreamAsync((alert, ct) => OnAlertAsync(c, alert, ct), stoppingToken),
            new SilenceWatch(c.Options.Device, c.Options.SilenceTimeout, () => c.Client.SinceLastSign, _sink, _time).RunAsync(stoppingToken),
        }));

    private async Task OnAlertAsync(Controller c, IsapiAlert alert, CancellationToken ct)
    {
        if (alert.IsHeartbeat || alert.Access is not { } access)
        {
            return;
        }

        if (IsapiAccessCodes.Of(access.Major, access.Minor) is not { } meaning)
        {
            Interlocked.Increment(ref _unknownCodes);
            LogUnknown(c.Options.Id, access.Major, access.Minor);
            return;
        }

        if (access.SerialNo is { } serial && !c.Remember(serial))
        {
            Interlocked.Increment(ref _repeats);
            return;
        }

        var door = access.DoorNo is { } no ? c.Options.Doors.FirstOrDefault(d => d.Number == no) : null;
        var device = meaning.Type == EventTypes.DeviceTamper || door is null ? c.Options.Device : door.Device;
        var at = alert.At ?? _time.GetUtcNow();
        var data = new JsonObject { ["controller"] = c.Options.Id, ["code"] = $"{access.Major}/{access.Minor}" };
        if (access.DoorNo is { } doorNo)
        {
            data["door"] = doorNo;
        }

        if (meaning.Reason is { } reason)
        {
            data["reason"] = reason;
        }

        if (!string.IsNullOrEmpty(access.CardNo))
        {
            var card = new JsonObject { ["hash"] = _privacy.Hash("isapi", null, access.CardNo) };
            if (_privacy.RevealRawNumbers)
            {
                card["number"] = access.CardNo;
            }

            data["card"] = card;
        }

        if (door is not null && meaning.Type == EventTypes.DoorClosed)
        {
            // The controller reports a forced or held-open door as such, then a plain close: the alarm ends there.
            foreach (var ended in c.TakeActive(door.Id))
            {
                await SubmitAsync(ended, ended == EventTypes.DoorForced ? Priority.Critical : Priority.High, door.Device, EventState.Restored, at, data.DeepClone().AsObject(), ct).ConfigureAwait(false);
            }
        }
        else if (door is not null && meaning.State == EventState.Active)
        {
            c.SetActive(door.Id, meaning.Type);
        }

        await SubmitAsync(meaning.Type, meaning.Priority, device, meaning.State, at, data, ct).ConfigureAwait(false);
    }

    private Task SubmitAsync(string type, Priority priority, DeviceRef device, EventState? state, DateTimeOffset at, JsonObject data, CancellationToken ct) =>
        _sink.SubmitAsync(new EventDraft(type, priority, device, state, at, data), ct);

    public override void Dispose()
    {
        foreach (var c in _controllers)
        {
            c.Client.Dispose();
        }

        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access controller {Controller}: event code {Major}/{Minor} has no meaning in the contract; not forwarded")]
    private partial void LogUnknown(string controller, int major, int minor);

    private sealed class Controller(AccessControllerOptions options, IsapiClient client)
    {
        private readonly HashSet<long> _serials = [];
        private readonly Queue<long> _order = new();
        private readonly Dictionary<string, HashSet<string>> _active = [];

        public AccessControllerOptions Options { get; } = options;

        public IsapiClient Client { get; } = client;

        /// <summary>False when the serial number was seen recently (a resend after a reconnect).</summary>
        public bool Remember(long serial)
        {
            if (!_serials.Add(serial))
            {
                return false;
            }

            _order.Enqueue(serial);
            if (_order.Count > RememberedSerials)
            {
                _serials.Remove(_order.Dequeue());
            }

            return true;
        }

        public void SetActive(string door, string type)
        {
            if (!_active.TryGetValue(door, out var set))
            {
                _active[door] = set = [];
            }

            set.Add(type);
        }

        public IEnumerable<string> TakeActive(string door)
        {
            if (!_active.Remove(door, out var set))
            {
                return [];
            }

            return set.Order(StringComparer.Ordinal).ToList();
        }
    }
}
