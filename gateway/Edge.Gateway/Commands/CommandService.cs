using System.Threading.Channels;
using Edge.Contracts.Commands;
using Edge.Gateway.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Commands;

/// <summary>
/// Takes the station's commands off the MQTT client's thread (a bounded queue: a flood of commands never stalls the
/// uplink), checks each with the <see cref="CommandVerifier"/>, hands the verified ones to the feature that applies
/// them, and answers every one on the results topic: applied, refused, expired, replayed or failed, with the reason.
/// A result that finds no connection (the link dropped right after the command) is held (<see cref="IHeldResults"/>:
/// in the outbox database, so it outlives a restart), up to <see cref="HeldResults"/> of them, and goes out when the
/// uplink is back, oldest first. Refusals are logged, at most one line per 10 s.
/// </summary>
public sealed partial class CommandService : BackgroundService, ICommandInbox
{
    /// <summary>Commands waiting to be checked; more are answered as refused at once.</summary>
    public const int Queue = 256;

    /// <summary>Results held while the uplink is down; past this the oldest is given up and counted.</summary>
    public const int HeldResults = 1024;

    private readonly string _community;
    private readonly string _gateway;
    private readonly CommandVerifier _verifier;
    private readonly Dictionary<string, ICommandHandler> _handlers = new(StringComparer.Ordinal);
    private readonly IResultPublisher _results;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly Channel<(string Type, byte[] Payload, byte[]? Correlation)> _inbox =
        Channel.CreateBounded<(string, byte[], byte[]?)>(new BoundedChannelOptions(Queue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _received;
    private long _applied;
    private long _refused;
    private long _unanswered;
    private readonly IHeldResults _held;
    private readonly Channel<bool> _reconnected = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <param name="uplink">When the uplink comes back, the results held meanwhile go out.</param>
    public CommandService(string community, string gateway, CommandVerifier verifier, IEnumerable<ICommandHandler> handlers, IResultPublisher results,
        IHeldResults held, Uplink.UplinkState uplink, TimeProvider time, ILogger<CommandService> log)
    {
        _held = held;
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(uplink);
        uplink.ConnectionChanged += up =>
        {
            if (up)
            {
                _reconnected.Writer.TryWrite(true);
            }
        };
        _community = community;
        _gateway = gateway;
        _verifier = verifier;
        _results = results;
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(10));
        foreach (var handler in handlers)
        {
            foreach (var type in handler.Types)
            {
                _handlers[type] = handler;
            }
        }
    }

    /// <summary>Messages that came on the commands topic.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Commands applied.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Commands not applied: refused, expired, replayed or failed.</summary>
    public long NotApplied => Interlocked.Read(ref _refused);

    /// <summary>Results given up: more than <see cref="HeldResults"/> waited for the uplink.</summary>
    public long Unanswered => Interlocked.Read(ref _unanswered);

    /// <summary>Results waiting for the uplink.</summary>
    public int Held => _held.Count;

    public void Offer(string topicType, byte[] payload, byte[]? correlation)
    {
        Interlocked.Increment(ref _received);
        if (!_inbox.Writer.TryWrite((topicType, payload, correlation)))
        {
            // Answered from the client's thread without waiting: the publish is queued by MQTTnet.
            _ = AnswerAsync(new CommandCheck(null, CommandOutcomes.Refused, $"over {Queue} commands waiting"), correlation, CancellationToken.None);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_held.Count > 0)
        {
            // Results held before a restart: they go out as soon as there is a link.
            _reconnected.Writer.TryWrite(true);
        }

        return Task.WhenAll(TakeAsync(stoppingToken), ResendAsync(stoppingToken));
    }

    /// <summary>Each time the uplink is back, the results held meanwhile, oldest first, until one fails again.</summary>
    private async Task ResendAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var signal in _reconnected.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                while (_held.Oldest() is { } next)
                {
                    if (!await _results.PublishResultAsync(next.Result, next.Correlation, ct).ConfigureAwait(false))
                    {
                        break;
                    }

                    // Unless the bound gave it up meanwhile: then this releases nothing.
                    _held.Release(next.Key);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task TakeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (type, payload, correlation) in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                CommandCheck check;
                try
                {
                    check = _verifier.Check(type, payload);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Whatever a command holds, it never stops the service: it is refused and answered.
                    check = new CommandCheck(null, CommandOutcomes.Refused, $"the command could not be checked: {ex.Message}");
                }

                if (!check.Accepted)
                {
                    await AnswerAsync(check, correlation, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var command = check.Command!;
                CommandEffect effect;
                try
                {
                    effect = _handlers.TryGetValue(command.Type, out var handler)
                        ? await handler.ApplyAsync(command, stoppingToken).ConfigureAwait(false)
                        : new CommandEffect(false, $"nothing on this gateway takes {command.Type}");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    effect = new CommandEffect(false, ex.Message);
                }

                await AnswerAsync(new CommandCheck(command, effect.Applied ? CommandOutcomes.Applied : CommandOutcomes.Failed, effect.Reason ?? ""), correlation, stoppingToken)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AnswerAsync(CommandCheck check, byte[]? correlation, CancellationToken ct)
    {
        var outcome = check.Refusal ?? CommandOutcomes.Applied;
        if (outcome == CommandOutcomes.Applied)
        {
            Interlocked.Increment(ref _applied);
            LogApplied(check.Command!.Type, check.Command.Id, check.Command.Issuer);
        }
        else
        {
            Interlocked.Increment(ref _refused);
            if (_limiter.TryEnter(out var held))
            {
                LogNotApplied(check.Command?.Type ?? "(unreadable)", outcome, check.Reason, held);
            }
        }

        var result = new CommandResult(check.Command?.Id, check.Command?.Type, outcome, string.IsNullOrEmpty(check.Reason) ? null : check.Reason,
            _community, _gateway, _time.GetUtcNow());
        var waiting = _held.Count > 0;

        // Behind results already waiting, a new one waits too: the desk gets them in order.
        if (waiting || !await _results.PublishResultAsync(result, correlation, ct).ConfigureAwait(false))
        {
            Interlocked.Add(ref _unanswered, _held.Hold(result, correlation, HeldResults));
            if (waiting)
            {
                // Maybe the uplink is back already: try the queue again.
                _reconnected.Writer.TryWrite(true);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {Type} {Id} from {Issuer} applied")]
    private partial void LogApplied(string type, Guid id, string issuer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {Type} not applied ({Outcome}): {Reason} ({Held} similar lines held back)")]
    private partial void LogNotApplied(string type, string outcome, string reason, long held);
}
