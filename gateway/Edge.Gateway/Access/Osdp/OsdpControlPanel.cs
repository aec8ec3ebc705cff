using Edge.Gateway.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// The gateway as OSDP control panel on one line (an RS-485 bus or a TCP connection): one <see cref="OsdpReaderLink"/>
/// per reader on it, each polled at its own pace, taking turns on the line. A reader that falls silent costs the
/// others one reply timeout per attempt, no more.
/// </summary>
public sealed class OsdpControlPanel : BackgroundService
{
    private readonly OsdpLine _line;

    /// <param name="readers">The readers on one line: the same <see cref="OsdpReaderOptions.Endpoint"/>, distinct addresses.</param>
    /// <param name="cursors">Where the readers' doors kept their alarms when the gateway last stopped (the outbox).</param>
    public OsdpControlPanel(IReadOnlyList<OsdpReaderOptions> readers, IEventSink sink, CardPrivacy privacy, TimeProvider time, ILogger<OsdpControlPanel> log, ISourceCursors? cursors = null)
    {
        ArgumentNullException.ThrowIfNull(readers);
        ArgumentOutOfRangeException.ThrowIfZero(readers.Count);
        Endpoint = readers[0].Endpoint;
        if (readers.Any(r => r.Endpoint != Endpoint))
        {
            throw new ArgumentException("every reader of a control panel's line has the same endpoint", nameof(readers));
        }

        _line = new OsdpLine(Endpoint, readers[0].BaudRate, time);
        Readers = readers.Select(r => new OsdpReaderLink(r, _line, sink, privacy, time, log, cursors)).ToList();
    }

    /// <summary>The line: <c>serial:///dev/...</c> or <c>tcp://host:port</c>.</summary>
    public string Endpoint { get; }

    public IReadOnlyList<OsdpReaderLink> Readers { get; }

    /// <summary>Replies that came for another command than the one on the line.</summary>
    public long Mismatched => _line.Mismatched;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Readers.Select(r => r.RunAsync(stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            await _line.DisposeAsync().ConfigureAwait(false);
        }
    }
}
