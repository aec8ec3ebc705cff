using Edge.Contracts.Events;
using Edge.Gateway.Alarms;
using Edge.Gateway.Events;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Alarms;

/// <summary>The zone adapter sampling a fake ADC on a fake clock.</summary>
public sealed class ZoneAdapterTests : IAsyncLifetime
{
    private static readonly LoopDivider Divider = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingSink _sink = new();
    private ZoneAdapter _adapter = null!;
    private volatile int _counts = Divider.Counts(4_700);
    private volatile bool _broken;
    private int _reads;

    public async ValueTask InitializeAsync()
    {
        var zone = new ZoneOptions { Id = "zone-fence", Name = "East fence", Channel = 2 };
        _adapter = new ZoneAdapter([zone], Read, 1023, _sink, _time, NullLogger<ZoneAdapter>.Instance);
        await _adapter.StartAsync(CancellationToken.None);
    }

    private int Read(int channel)
    {
        Assert.Equal(2, channel);
        Interlocked.Increment(ref _reads);
        return _broken ? throw new IOException("SPI bus error") : _counts;
    }

    /// <summary>Advances the clock one sample at a time, waiting for each sample to be taken.</summary>
    private async Task SamplesAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var before = Volatile.Read(ref _reads);
            _time.Advance(ZoneAdapter.SamplePeriod);
            await Eventually.True(() => Volatile.Read(ref _reads) > before, "a sample");
        }

        await Task.Yield();
    }

    [Fact]
    public async Task An_opened_contact_is_a_zone_alarm_after_the_dwell_and_a_closed_one_its_restore()
    {
        await SamplesAsync(3);
        Assert.Empty(_sink.Drafts);

        _counts = Divider.Counts(9_400);
        await SamplesAsync(2);
        Assert.Empty(_sink.Drafts);
        await SamplesAsync(3);
        await Eventually.True(() => _sink.Drafts.Count == 1, "zone alarm");

        _counts = Divider.Counts(4_700);
        await SamplesAsync(5);
        await Eventually.True(() => _sink.Drafts.Count == 2, "zone restored");

        Assert.Equal([(EventTypes.AlarmZone, EventState.Active), (EventTypes.AlarmZone, EventState.Restored)],
            _sink.Drafts.Select(d => (d.Type, d.State!.Value)));
        Assert.All(_sink.Drafts, d => Assert.Equal(Priority.Critical, d.Priority));
        Assert.Equal("zone", _sink.Drafts.First().Device.Kind);
    }

    [Fact]
    public async Task A_converter_that_is_not_there_is_not_sampled_so_it_never_reads_as_a_shorted_loop()
    {
        var present = false;
        var reads = 0;
        var asked = 0;
        var sink = new RecordingSink();
        var zone = new ZoneOptions { Id = "zone-garage", Channel = 0 };
        using var adapter = new ZoneAdapter([zone], _ => { Interlocked.Increment(ref reads); return 0; }, 1023, sink, _time, NullLogger<ZoneAdapter>.Instance,
            () =>
            {
                Interlocked.Increment(ref asked);
                return Volatile.Read(ref present);
            });
        await adapter.StartAsync(CancellationToken.None);

        // Ten sample times, each one seen by the adapter (it asks whether the converter is there).
        for (var i = 0; i < 10; i++)
        {
            var before = Volatile.Read(ref asked);
            _time.Advance(ZoneAdapter.SamplePeriod);
            await Eventually.True(() => Volatile.Read(ref asked) > before, "a sample time");
        }

        Assert.Equal(0, Volatile.Read(ref reads));
        Assert.Empty(sink.Drafts);

        // Once it is there, a reading of 0 counts is a real short: a tamper alarm after the dwell.
        Volatile.Write(ref present, true);
        await Eventually.True(() =>
        {
            _time.Advance(ZoneAdapter.SamplePeriod);
            return sink.Drafts.Count == 1;
        }, "tamper once present");
        Assert.Equal(EventTypes.AlarmTamper, sink.Drafts.Single().Type);
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_cut_wire_after_an_alarm_restores_the_alarm_and_raises_the_cut()
    {
        _counts = Divider.Counts(9_400);
        await SamplesAsync(5);
        _counts = 1023;
        await SamplesAsync(5);
        await Eventually.True(() => _sink.Drafts.Count == 3, "three events");

        Assert.Equal(
            [(EventTypes.AlarmZone, EventState.Active), (EventTypes.AlarmZone, EventState.Restored), (EventTypes.AlarmCut, EventState.Active)],
            _sink.Drafts.Select(d => (d.Type, d.State!.Value)));
    }

    [Fact]
    public async Task The_state_kept_with_the_last_event_is_taken_back_after_a_restart_an_alarm_still_on_is_not_raised_again_one_that_ended_is_restored()
    {
        // Before the restart: the zone goes into alarm; its last event keeps the state.
        _counts = Divider.Counts(9_400);
        await SamplesAsync(5);
        await Eventually.True(() => _sink.Drafts.Count == 1, "zone alarm");
        var kept = _sink.Drafts.Single().Cursor!.Value;
        Assert.Equal(new SourceCursor("zone:zone-fence", 0, EventTypes.AlarmZone), kept);

        // Restarted with the loop still open: nothing new. Restarted after it closed: the alarm is restored.
        var zone = new ZoneOptions { Id = "zone-fence", Channel = 2 };
        var reads = 0;
        int Counted(int channel)
        {
            Interlocked.Increment(ref reads);
            return _counts;
        }

        var still = new RecordingSink();
        using (var again = new ZoneAdapter([zone], Counted, 1023, still, _time, NullLogger<ZoneAdapter>.Instance, cursors: new KeptCursors(kept)))
        {
            await again.StartAsync(CancellationToken.None);
            await Eventually.True(() =>
            {
                _time.Advance(ZoneAdapter.SamplePeriod);
                return Volatile.Read(ref reads) >= 20;
            }, "a second of samples");
            await again.StopAsync(CancellationToken.None);
        }

        Assert.Empty(still.Drafts);
        _counts = Divider.Counts(4_700);
        var ended = new RecordingSink();
        using var later = new ZoneAdapter([zone], Counted, 1023, ended, _time, NullLogger<ZoneAdapter>.Instance, cursors: new KeptCursors(kept));
        await later.StartAsync(CancellationToken.None);
        await Eventually.True(() =>
        {
            _time.Advance(ZoneAdapter.SamplePeriod);
            return ended.Drafts.Count == 1;
        }, "restored");
        Assert.Equal((EventTypes.AlarmZone, EventState.Restored), (ended.Drafts.Single().Type, ended.Drafts.Single().State!.Value));
        Assert.Equal(new SourceCursor("zone:zone-fence", 0, null), ended.Drafts.Single().Cursor);
        await later.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_failing_adc_is_one_fault_per_episode_restored_when_it_reads_again_and_never_an_alarm()
    {
        _broken = true;
        await SamplesAsync(10);
        _broken = false;
        await SamplesAsync(2);
        _broken = true;
        await SamplesAsync(2);
        await Eventually.True(() => _sink.Drafts.Count == 3, "two fault episodes, the first ended");

        Assert.All(_sink.Drafts, d => Assert.Equal((EventTypes.DeviceFault, "adc-reading"), (d.Type, (string?)d.Data!["fault"])));
        Assert.Equal([EventState.Active, EventState.Restored, EventState.Active], _sink.Drafts.Select(d => d.State!.Value));
        Assert.Equal(12, _adapter.BadReadings);
    }

    public async ValueTask DisposeAsync()
    {
        await _adapter.StopAsync(CancellationToken.None);
        _adapter.Dispose();
    }
}
