using System.Device.Gpio;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Alarms;

/// <summary>
/// Drives the LEDs of the alarm columns: blinking from a press until the station broker accepts the alarm, then
/// steady; a slow blink once the police took it, a double flash while officers are on their way, back to rest when it
/// is resolved; and a short flash while the uplink is down, so the guard knows whether the alarm is out and whether
/// help is coming.
/// </summary>
public sealed class ColumnFeedbackService : BackgroundService
{
    /// <summary>LED refresh period (fast enough for the 2 Hz blink).</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(50);

    private readonly GpioController _gpio;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Column> _columns;
    private PeriodicTimer? _timer;
    private bool _started;

    public ColumnFeedbackService(IEnumerable<AlarmButtonOptions> buttons, GpioController gpio, AlarmButtonAdapter adapter, UplinkState uplink, TimeSpan showDelivered, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(buttons);
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(uplink);
        _gpio = gpio;
        _time = time;
        _columns = buttons.Where(b => b.LedPin is not null)
            .ToDictionary(b => b.Id, b => new Column(b.LedPin!.Value, new ColumnIndicator(showDelivered)), StringComparer.Ordinal);
        foreach (var column in _columns.Values)
        {
            _gpio.OpenPin(column.Pin, PinMode.Output);
            _gpio.Write(column.Pin, PinValue.Low);
        }

        adapter.AlarmRaised += (button, id) => Update(c => c.Indicator.Raised(id, _time.GetUtcNow()), button);
        uplink.Delivered += (id, _) => Update(c => c.Indicator.Delivered(id, _time.GetUtcNow()));
        uplink.ConnectionChanged += up => Update(c => c.Indicator.Uplink(up, _time.GetUtcNow()));
        if (!uplink.Connected)
        {
            Update(c => c.Indicator.Uplink(false, _time.GetUtcNow()));
        }
    }

    /// <summary>
    /// The station's step for alarm <paramref name="alarm"/> (acknowledged, dispatched, or <see cref="ColumnState.Idle"/>
    /// when resolved): the button whose column shows it, or null when no column of this gateway raised that alarm.
    /// </summary>
    public string? Step(Guid alarm, ColumnState step)
    {
        lock (_lock)
        {
            foreach (var (id, column) in _columns)
            {
                if (column.Indicator.Step(alarm, step, _time.GetUtcNow()))
                {
                    Show(column);
                    return id;
                }
            }

            return null;
        }
    }

    /// <summary>The state a column shows now (for tests and diagnostics).</summary>
    public ColumnState StateOf(string buttonId)
    {
        lock (_lock)
        {
            return _columns[buttonId].Indicator.State;
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer ??= new PeriodicTimer(Refresh, _time);
        lock (_lock)
        {
            _started = true;
        }

        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Deliveries and commands may still come while the gateway stops; the GPIO is closed after this.
        lock (_lock)
        {
            _started = false;
        }

        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer!.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    foreach (var column in _columns.Values)
                    {
                        Show(column);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Update(Action<Column> change, string? only = null)
    {
        lock (_lock)
        {
            foreach (var (id, column) in _columns)
            {
                if (only is null || id == only)
                {
                    // Every delivery of every event comes here: the LED is written only when the column's state moves.
                    var before = column.Indicator.State;
                    change(column);
                    if (column.Indicator.State != before)
                    {
                        Show(column);
                    }
                }
            }
        }
    }

    /// <summary>Sets the LED as the column's state says now: on every refresh, and at once when the state changes.</summary>
    private void Show(Column column)
    {
        if (!_started)
        {
            return;
        }

        var lit = column.Indicator.LedAt(_time.GetUtcNow());
        if (lit != column.Lit)
        {
            column.Lit = lit;
            _gpio.Write(column.Pin, lit ? PinValue.High : PinValue.Low);
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    private sealed class Column(int pin, ColumnIndicator indicator)
    {
        public int Pin { get; } = pin;

        public ColumnIndicator Indicator { get; } = indicator;

        public bool Lit { get; set; }
    }
}
