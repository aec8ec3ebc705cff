using System.Diagnostics;
using System.Globalization;
using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Gateway.Access.Osdp;
using Edge.Gateway.Events;
using Edge.Simulator.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Benchmarks.Access;

/// <summary>
/// <c>edge-bench osdp-line</c>: one OSDP line with a good reader and one reader of each kind that refuses the panel
/// (NAKs everything, requires the secure channel the panel has no key for, has another key, spoils its MACs, NAKs every
/// command as damaged), all at the default 200 ms poll interval. Prints what each costs the line in commands a second,
/// its sessions and the faults reported, and the polls the good reader got.
/// </summary>
internal static class OsdpLineBenchmark
{
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 30;
        if (args is ["--seconds", var s] && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 3600)
        {
            seconds = n;
        }
        else if (args.Length > 0)
        {
            Console.Error.WriteLine("usage: edge-bench osdp-line [--seconds 1..3600]");
            return 2;
        }

        await using var line = SimOsdpLine.Tcp();
        var readers = new (string Name, SimOsdpReader Reader, string? Scbk)[]
        {
            ("good", line.Add(1, Key), Convert.ToHexString(Key)),
            ("refuses everything (NAK 0x03)", Refusing(line.Add(2, Key), r => r.RefuseWith = OsdpNak.UnknownCommand), Convert.ToHexString(Key)),
            ("requires secure channel, no key", Refusing(line.Add(3, Key), r => r.RequireSecureChannel = true), null),
            ("another key", line.Add(4, Enumerable.Range(50, 16).Select(i => (byte)i).ToArray()), Convert.ToHexString(Key)),
            ("spoils its MACs", Refusing(line.Add(5, Key), r => r.SpoilMacs = true), Convert.ToHexString(Key)),
            ("every command damaged (NAK 0x01)", Refusing(line.Add(6, Key), r => r.RefuseWith = OsdpNak.CheckCharacter), Convert.ToHexString(Key)),
        };
        var options = readers.Select(r => new OsdpReaderOptions
        {
            Id = $"reader-{r.Reader.Address:000}", Endpoint = line.Endpoint.ToString(), Address = r.Reader.Address, Scbk = r.Scbk,
        }).ToList();
        var sink = new CountingSink();
        using var privacy = new CardPrivacy(new byte[32]);
        using var panel = new OsdpControlPanel(options, sink, privacy, TimeProvider.System, NullLogger<OsdpControlPanel>.Instance);
        var clock = Stopwatch.StartNew();
        await panel.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        await panel.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;

        Console.WriteLine($"osdp-line: {seconds} s, poll interval 200 ms, {readers.Length} readers on one TCP line");
        Console.WriteLine($"{"reader",-34} {"commands",9} {"per s",7} {"sessions",9}  faults");
        foreach (var ((name, reader, _), link) in readers.Zip(panel.Readers))
        {
            var faults = string.Join(", ", sink.Faults(link.Id));
            Console.WriteLine($"{name,-34} {reader.Received,9} {reader.Received / elapsed,7:0.0} {link.Sessions,9}  {(faults.Length == 0 ? "-" : faults)}");
        }

        return 0;
    }

    private static SimOsdpReader Refusing(SimOsdpReader reader, Action<SimOsdpReader> how)
    {
        how(reader);
        return reader;
    }

    private sealed class CountingSink : IEventSink
    {
        private readonly Lock _lock = new();
        private readonly List<EventDraft> _drafts = [];
        private long _seq;

        public IEnumerable<string> Faults(string device)
        {
            lock (_lock)
            {
                return _drafts.Where(d => d.Type == EventTypes.DeviceFault && d.Device.Id == device)
                    .Select(d => $"{d.Data!["fault"]}{(d.Data["command"] is { } c ? " " + c : "")} {d.State?.ToString().ToLowerInvariant()}").ToList();
            }
        }

        public Task<SubmitResult> SubmitAsync(EventDraft draft, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                _drafts.Add(draft);
            }

            return Task.FromResult(new SubmitResult(new EdgeEvent(Guid.CreateVersion7(), Interlocked.Increment(ref _seq), draft.Type, draft.Priority,
                "c001", "gw1", draft.Device, draft.State, draft.OccurredAt, DateTimeOffset.UtcNow, draft.Data)));
        }
    }
}
