using System.Collections.Concurrent;
using System.Device.Gpio;
using Edge.Gateway.Hardware.Bridge;
using Edge.Simulator.Hardware;
using Edge.Tests.Support;

namespace Edge.Tests.Hardware;

/// <summary>A real <see cref="GpioController"/> on the virtual driver, against the simulator's bridge server over loopback.</summary>
public sealed class VirtualGpioTests : IAsyncLifetime
{
    private BridgeHarness _bridge = null!;

    private BridgeServer Server => _bridge.Server;

    private BridgeClient Client => _bridge.Client;

    public async ValueTask InitializeAsync()
    {
        _bridge = await BridgeHarness.StartAsync(server => server.SetLevel("c001", 5, true));
        await Eventually.True(() => Client.Level(5) == true, "initial levels pushed after HELLO");
    }

    [Fact]
    public async Task A_pulse_train_reaches_the_callbacks_with_the_times_it_happened()
    {
        using var gpio = new GpioController(new VirtualGpioDriver(Client));
        gpio.OpenPin(5, PinMode.InputPullUp);
        var edges = new ConcurrentQueue<(PinEventTypes Type, DateTimeOffset? At)>();
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling | PinEventTypes.Rising,
            (_, e) => edges.Enqueue((e.ChangeType, (e as Edge.Gateway.Hardware.TimedPinValueChangedEventArgs)?.At)));
        var now = Server.Now;
        var start = now.AddTicks(-(now.Ticks % 10)); // the wire carries microseconds

        Server.Pulses("c001", 5, [(false, start), (true, start.AddMilliseconds(2)), (false, start.AddMilliseconds(10)), (true, start.AddMilliseconds(12))]);

        await Eventually.True(() => edges.Count == 4, "four edges");
        Assert.Equal(
            [(PinEventTypes.Falling, start), (PinEventTypes.Rising, start.AddMilliseconds(2)), (PinEventTypes.Falling, start.AddMilliseconds(10)), (PinEventTypes.Rising, start.AddMilliseconds(12))],
            edges.Select(e => (e.Type, e.At!.Value)));
    }

    [Fact]
    public async Task A_change_dated_ahead_of_the_gateways_clock_is_not_believed()
    {
        var garbage = Client.Garbage;
        var ahead = ((DateTimeOffset.UtcNow.AddMinutes(5) - DateTimeOffset.UnixEpoch).Ticks / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Server.SendRaw("c001", System.Text.Encoding.ASCII.GetBytes($"LEVEL 5 0 {ahead}\n"));

        await Eventually.True(() => Client.Garbage > garbage, "counted as garbage");
        Assert.True(Client.Level(5));
    }

    [Fact]
    public async Task An_edge_in_the_simulator_reaches_a_gpio_controller_callback_and_read()
    {
        using var gpio = new GpioController(new VirtualGpioDriver(Client));
        gpio.OpenPin(5, PinMode.InputPullUp);
        var edges = new ConcurrentQueue<PinEventTypes>();
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling | PinEventTypes.Rising, (_, e) => edges.Enqueue(e.ChangeType));

        Server.SetLevel("c001", 5, false);
        await Eventually.True(() => edges.Count == 1, "falling edge");
        Server.SetLevel("c001", 5, true);
        await Eventually.True(() => edges.Count == 2, "rising edge");

        Assert.Equal([PinEventTypes.Falling, PinEventTypes.Rising], edges);
        Assert.Equal(PinValue.High, gpio.Read(5));
    }

    [Fact]
    public async Task Outputs_written_through_the_controller_reach_the_simulator()
    {
        using var gpio = new GpioController(new VirtualGpioDriver(Client));
        gpio.OpenPin(22, PinMode.Output);

        gpio.Write(22, PinValue.High);

        await Eventually.True(() => Server.Output("c001", 22) == true, "output seen by the simulator");
    }

    [Fact]
    public async Task A_reconnect_makes_no_phantom_edge_but_a_change_during_the_outage_is_seen()
    {
        using var gpio = new GpioController(new VirtualGpioDriver(Client));
        gpio.OpenPin(5, PinMode.InputPullUp);
        gpio.OpenPin(6, PinMode.InputPullUp);
        Server.SetLevel("c001", 6, true);
        await Eventually.True(() => Client.Level(6) == true, "pin 6 known");
        var edges = new ConcurrentQueue<(int Pin, PinEventTypes Type)>();
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling | PinEventTypes.Rising, (_, e) => edges.Enqueue((e.PinNumber, e.ChangeType)));
        gpio.RegisterCallbackForPinValueChangedEvent(6, PinEventTypes.Falling | PinEventTypes.Rising, (_, e) => edges.Enqueue((e.PinNumber, e.ChangeType)));
        var losses = 0;
        Client.ConnectionChanged += up => losses += up ? 0 : 1;

        Server.Disconnect("c001");
        await Eventually.True(() => losses == 1, "bridge loss noticed");
        Server.SetLevel("c001", 6, false);
        await Eventually.True(() => Server.IsConnected("c001") && Client.Connected, "reconnected");
        await Eventually.True(() => !edges.IsEmpty, "the change made during the outage");

        Assert.Equal([(6, PinEventTypes.Falling)], edges);
    }

    [Fact]
    public async Task Garbage_from_the_gateway_side_is_counted_and_the_community_keeps_being_served()
    {
        using var raw = new System.Net.Sockets.TcpClient();
        await raw.ConnectAsync("127.0.0.1", Server.Port);
        var stream = raw.GetStream();
        await stream.WriteAsync("HELLO 1 c009\nnonsense\nOUT 99999 7\n\u0001\u0002\n"u8.ToArray());
        await stream.WriteAsync("OUT 3 1\n"u8.ToArray());

        await Eventually.True(() => Server.Output("c009", 3) == true, "valid output after garbage");
        Assert.True(Server.Garbage >= 2);
    }

    public ValueTask DisposeAsync() => _bridge.DisposeAsync();
}

/// <summary>Iot.Device.Adc's MCP3008 binding reading the simulator's ADC values through the virtual SPI device.</summary>
public sealed class VirtualMcp3008Tests : IAsyncLifetime
{
    private BridgeHarness _bridge = null!;

    private BridgeServer Server => _bridge.Server;

    private BridgeClient Client => _bridge.Client;

    public async ValueTask InitializeAsync() => _bridge = await BridgeHarness.StartAsync();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 512)]
    [InlineData(7, 1023)]
    public async Task The_mcp3008_binding_reads_what_the_simulator_sets(int channel, int counts)
    {
        Server.SetAdc("c001", channel, counts);
        await Eventually.True(() => Client.Adc(channel) == counts, "reading pushed");
        using var adc = new Iot.Device.Adc.Mcp3008(new VirtualMcp3008(Client, new System.Device.Spi.SpiConnectionSettings(0, 0)));

        Assert.Equal(counts, adc.Read(channel));
    }

    public ValueTask DisposeAsync() => _bridge.DisposeAsync();
}
