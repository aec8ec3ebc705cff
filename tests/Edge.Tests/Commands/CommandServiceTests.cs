using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Edge.Contracts.Commands;
using Edge.Gateway.Commands;
using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Commands;

/// <summary>The command service between the uplink and the features: every command answered, even across a lost link.</summary>
public sealed class CommandServiceTests : IDisposable
{
    private readonly ECDsa _station = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>An uplink that is up or down: results published while up, refused while down.</summary>
    private sealed class Link : IResultPublisher
    {
        public volatile bool Up;

        public ConcurrentQueue<CommandResult> Published { get; } = new();

        public Task<bool> PublishResultAsync(CommandResult result, byte[]? correlation, CancellationToken ct)
        {
            if (Up)
            {
                Published.Enqueue(result);
            }

            return Task.FromResult(Up);
        }
    }

    private sealed class Applier : ICommandHandler
    {
        public IReadOnlyCollection<string> Types { get; } = [CommandTypes.AlarmAcknowledge];

        public int Applied;

        public Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct)
        {
            Interlocked.Increment(ref Applied);
            return Task.FromResult(new CommandEffect(true));
        }
    }

    private byte[] Acknowledge(out Guid id)
    {
        var now = DateTimeOffset.UtcNow;
        var command = new StationCommand(Guid.CreateVersion7(), CommandTypes.AlarmAcknowledge, "c001", "gw1", "desk", now, now.AddSeconds(30),
            new System.Text.Json.Nodes.JsonObject { ["alarm"] = Guid.CreateVersion7().ToString() });
        id = command.Id;
        return Encoding.ASCII.GetBytes(CommandJws.Sign(command, "k", _station));
    }

    [Fact]
    public async Task Results_that_find_the_link_down_go_out_in_order_once_it_is_back()
    {
        var link = new Link();
        var uplink = new UplinkState();
        var applier = new Applier();
        using var key = ECDsa.Create(_station.ExportParameters(false));
        var verifier = new CommandVerifier("c001", "gw1", new Dictionary<string, ECDsa> { ["k"] = key }, new MemoryCommandLedger(), TimeProvider.System);
        using var service = new CommandService("c001", "gw1", verifier, [applier], link, uplink, TimeProvider.System, NullLogger<CommandService>.Instance);
        await service.StartAsync(CancellationToken.None);

        // Applied, then the link drops before the answers go out.
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            service.Offer(CommandTypes.AlarmAcknowledge, Acknowledge(out var id), null);
            ids.Add(id);
        }

        service.Offer(CommandTypes.AlarmAcknowledge, "garbage"u8.ToArray(), null);
        await Eventually.True(() => service.Held == 4, "four results held");
        Assert.Equal(3, applier.Applied);
        Assert.Empty(link.Published);

        link.Up = true;
        uplink.SetConnected(true);
        await Eventually.True(() => service.Held == 0, "all sent once the link is back");

        Assert.Equal([.. ids.Cast<Guid?>(), null], link.Published.Select(r => r.CommandId));
        Assert.Equal([CommandOutcomes.Applied, CommandOutcomes.Applied, CommandOutcomes.Applied, CommandOutcomes.Refused], link.Published.Select(r => r.Outcome));
        Assert.Equal(0, service.Unanswered);
        await service.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _station.Dispose();
}
