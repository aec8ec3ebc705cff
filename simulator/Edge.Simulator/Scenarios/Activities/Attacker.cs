using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Topics;
using Edge.Simulator.Devices;
using Edge.Simulator.Gateways;
using Edge.Simulator.Station;

namespace Edge.Simulator.Scenarios.Activities;

/// <summary>
/// Someone on the station network with a way to publish commands: every 0.5-1.5 s one bad command to a community's
/// gateway, most of them asking to open a unit door. Each must be refused (or answered replayed or expired) and apply
/// nothing: no lock opens (<see cref="DoorOpens"/>), and the desk's check counts a bad command applied.
/// </summary>
public sealed class Attacker : IScenarioActivity
{
    private enum Attack
    {
        /// <summary>A command the desk sent, captured and published again while it still lives: <c>replayed</c>.</summary>
        Replay,

        /// <summary>Signed by the desk's key but issued 5 minutes ago: <c>expired</c>.</summary>
        Stale,

        /// <summary>Issued 10 minutes ahead of the gateway's clock: refused.</summary>
        Future,

        /// <summary>Signed by another key under the desk's key id: refused without an id (an unsigned id is not trusted).</summary>
        Forged,

        /// <summary>Signed for another community, published on this one's topic: refused.</summary>
        OtherCommunity,

        /// <summary>Over the 4 KiB bound: refused without an id.</summary>
        Oversized,

        /// <summary>Random bytes: refused without an id.</summary>
        Garbage,

        /// <summary>A type the contract does not have: refused.</summary>
        UnknownType,

        /// <summary>A <c>door.open</c> that would live 30 s (at most 10): refused.</summary>
        TooLong,
    }

    public string Name => "attacker: replayed, stale, future, forged, other-community, oversized, garbage and unknown commands";

    public async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var desk = context.Desk ?? throw new InvalidOperationException("the attacker needs the police desk's station");
        using var own = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var attacks = Enum.GetValues<Attack>();
        var sent = 0;
        while (!ct.IsCancellationRequested)
        {
            await context.Clock.DelayReal(TimeSpan.FromMilliseconds(context.Random.Next(500, 1500)), ct).ConfigureAwait(false);
            var community = context.AnyCommunity();
            if (community.GatewayPresent && await SendAsync(desk, context, community, attacks[sent % attacks.Length], own).ConfigureAwait(false))
            {
                sent++;
            }
        }

        context.Note($"attacker: {sent} bad commands sent");
    }

    /// <summary>Sends one attack; false when there was nothing to attack with (no captured command still alive).</summary>
    private static async Task<bool> SendAsync(PoliceDesk desk, ScenarioContext context, SimCommunity community, Attack attack, ECDsa own)
    {
        var random = context.Random;
        var door = community.Wiring.Controllers.FirstOrDefault()?.Door.Id ?? community.Wiring.Doors[0].Door.Id;
        var now = desk.Now;
        StationCommand Open(string type = CommandTypes.DoorOpen, string? target = null, DateTimeOffset? issued = null, TimeSpan? life = null) =>
            new(Guid.CreateVersion7(now), type, target ?? community.Id, GatewayFleet.GatewayId, "attacker", issued ?? now, (issued ?? now) + (life ?? TimeSpan.FromSeconds(10)),
                new JsonObject { ["door"] = door });
        string TopicOf(StationCommand c) => Topic.Command(community.Id, GatewayFleet.GatewayId, c.Type);

        switch (attack)
        {
            case Attack.Replay:
                var captured = desk.Captured(TimeSpan.FromSeconds(5));
                if (captured.Count == 0)
                {
                    return false;
                }

                var replay = captured[random.Next(captured.Count)];
                _ = desk.Expect(replay.Command.Id, replay.Command.Community, replay.Command.Type, CommandOutcomes.Replayed, bad: true);
                await desk.PublishAsync(replay.Topic, replay.Payload, replay.Command.ExpiresAt - now).ConfigureAwait(false);
                return true;
            case Attack.Stale:
                return await SignedAsync(desk, community, Open(issued: now - TimeSpan.FromMinutes(5)), CommandOutcomes.Expired, TopicOf).ConfigureAwait(false);
            case Attack.Future:
                return await SignedAsync(desk, community, Open(issued: now + TimeSpan.FromMinutes(10)), CommandOutcomes.Refused, TopicOf).ConfigureAwait(false);
            case Attack.OtherCommunity:
                var other = context.Communities.FirstOrDefault(c => c.Id != community.Id)?.Id ?? "c999";
                return await SignedAsync(desk, community, Open(target: other), CommandOutcomes.Refused, TopicOf).ConfigureAwait(false);
            case Attack.UnknownType:
                return await SignedAsync(desk, community, Open(type: "door.unlock-all"), CommandOutcomes.Refused, TopicOf).ConfigureAwait(false);
            case Attack.TooLong:
                return await SignedAsync(desk, community, Open(life: TimeSpan.FromSeconds(30)), CommandOutcomes.Refused, TopicOf).ConfigureAwait(false);
            case Attack.Forged:
                var forged = Open();
                return await UnreadableAsync(desk, community, TopicOf(forged), Encoding.ASCII.GetBytes(desk.Sign(forged, own))).ConfigureAwait(false);
            case Attack.Oversized:
                var big = Open() with { Data = new JsonObject { ["door"] = door, ["pad"] = new string('x', 5000) } };
                return await UnreadableAsync(desk, community, TopicOf(big), Encoding.ASCII.GetBytes(desk.Sign(big))).ConfigureAwait(false);
            default:
                var garbage = new byte[random.Next(1, 300)];
                random.NextBytes(garbage);
                return await UnreadableAsync(desk, community, Topic.Command(community.Id, GatewayFleet.GatewayId, CommandTypes.DoorOpen), garbage).ConfigureAwait(false);
        }
    }

    /// <summary>Signed by the desk's own key (a stolen signer, or a desk's mistake): the gateway reads its id and answers with it.</summary>
    private static async Task<bool> SignedAsync(PoliceDesk desk, SimCommunity community, StationCommand command, string outcome, Func<StationCommand, string> topic)
    {
        _ = desk.Expect(command.Id, community.Id, command.Type, outcome, bad: true);
        await desk.PublishAsync(topic(command), Encoding.ASCII.GetBytes(desk.Sign(command)), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return true;
    }

    private static async Task<bool> UnreadableAsync(PoliceDesk desk, SimCommunity community, string topic, byte[] payload)
    {
        desk.Check.SentUnreadable(community.Id);
        await desk.PublishAsync(topic, payload, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return true;
    }
}
