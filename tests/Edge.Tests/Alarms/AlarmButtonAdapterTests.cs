using System.Device.Gpio;
using Edge.Contracts.Events;
using Edge.Gateway.Alarms;
using Edge.Gateway.Hardware.Bridge;
using Edge.Simulator.Hardware;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Alarms;

/// <summary>The button adapter on a real GpioController over the virtual bridge, pressed from the simulator side.</summary>
public sealed class AlarmButtonAdapterTests : IAsyncLifetime
{
    private const int Pin = 17;
    private BridgeHarness _bridge = null!;
    private GpioController _gpio = null!;
    private readonly RecordingSink _sink = new();
    private AlarmButtonAdapter _adapter = null!;

    public async ValueTask InitializeAsync()
    {
        _bridge = await BridgeHarness.StartAsync(server => server.SetLevel("c001", Pin, true));
        await Eventually.True(() => _bridge.Client.Level(Pin) == true, "levels pushed");
        _gpio = new GpioController(new VirtualGpioDriver(_bridge.Client));
        var button = new AlarmButtonOptions
        {
            Id = "btn-gate", Name = "Gate column", Pin = Pin, Location = new Location("gate", null, "0", "north gate"),
            DuressAfter = TimeSpan.FromMilliseconds(400), StuckAfter = TimeSpan.FromSeconds(1),
        };
        _adapter = new AlarmButtonAdapter([button], _gpio, _sink, TimeProvider.System, NullLogger<AlarmButtonAdapter>.Instance);
        await _adapter.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_press_and_release_make_an_active_and_a_restored_panic_alarm()
    {
        var pressed = DateTimeOffset.UtcNow;
        _bridge.Server.SetLevel("c001", Pin, false);
        await Eventually.True(() => _sink.Drafts.Count == 1, "alarm active");
        _bridge.Server.SetLevel("c001", Pin, true);
        await Eventually.True(() => _sink.Drafts.Count == 2, "alarm restored");

        var (active, restored) = (_sink.Drafts.First(), _sink.Drafts.Last());
        Assert.Equal((EventTypes.AlarmPanic, Priority.Critical, EventState.Active), (active.Type, active.Priority, active.State));
        Assert.Equal((EventTypes.AlarmPanic, EventState.Restored), (restored.Type, restored.State));
        Assert.Equal("btn-gate", active.Device.Id);
        Assert.Equal("alarm-button", active.Device.Kind);
        Assert.InRange(active.OccurredAt, pressed, pressed.AddSeconds(1));
    }

    [Fact]
    public async Task Contact_bounce_from_the_simulator_makes_no_event()
    {
        for (var i = 0; i < 5; i++)
        {
            _bridge.Server.SetLevel("c001", Pin, false);
            _bridge.Server.SetLevel("c001", Pin, true);
        }

        // A later real press proves the adapter was listening all along and the bounce left nothing behind.
        _bridge.Server.SetLevel("c001", Pin, false);
        await Eventually.True(() => !_sink.Drafts.IsEmpty, "the real press");
        var only = Assert.Single(_sink.Drafts);
        Assert.Equal(EventState.Active, only.State);
    }

    [Fact]
    public async Task A_long_press_adds_duress_and_a_held_button_a_fault()
    {
        _bridge.Server.SetLevel("c001", Pin, false);
        await Eventually.True(() => _sink.Drafts.Any(d => d.Type == EventTypes.DeviceFault), "stuck fault");
        _bridge.Server.SetLevel("c001", Pin, true);
        await Eventually.True(() => _sink.Drafts.Count(d => d.State == EventState.Restored) == 2, "both restored");

        Assert.Equal(
            [EventTypes.AlarmPanic, EventTypes.AlarmDuress, EventTypes.DeviceFault, EventTypes.AlarmDuress, EventTypes.AlarmPanic],
            _sink.Drafts.Select(d => d.Type));
    }

    public async ValueTask DisposeAsync()
    {
        await _adapter.StopAsync(CancellationToken.None);
        _adapter.Dispose();
        _gpio.Dispose();
        await _bridge.DisposeAsync();
    }
}
