using Edge.Simulator.Broker;
using Edge.Simulator.Gateways;
using Edge.Simulator.Station;

namespace Edge.Simulator.Scenarios;

/// <summary>How a scenario takes the station away from the gateways and brings it back.</summary>
public abstract class StationControl
{
    /// <summary>What an outage is in this run, for the journal.</summary>
    public abstract string Outage { get; }

    public abstract Task GoDownAsync();

    public abstract Task ComeBackAsync(CancellationToken ct);

    /// <summary>
    /// The in-process broker goes down and comes back. The gateways' connections are reset first and the broker is
    /// given half a second to forward what it has acknowledged before it stops: MQTTnet's broker keeps nothing over a
    /// restart, and a message it acknowledged but had not forwarded would be lost inside it, not in Edge (a station
    /// broker with persistence, as deploy/mosquitto configures, keeps them). On return, the gateways' path opens only
    /// once the station probe has subscribed again, so nothing they deliver can slip past the station.
    /// </summary>
    public sealed class BrokerRestart(StationBroker broker, StationProbe probe, GatewayFleet? gateways) : StationControl
    {
        public override string Outage => "the station broker stops";

        public override async Task GoDownAsync()
        {
            gateways?.CutAllUplinks();
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            await broker.StopAsync().ConfigureAwait(false);
        }

        public override async Task ComeBackAsync(CancellationToken ct)
        {
            try
            {
                var before = probe.Subscriptions;
                await broker.RestartAsync().ConfigureAwait(false);
                await probe.WaitForSubscriptionAsync(before, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
            finally
            {
                gateways?.RestoreAllUplinks();
            }
        }
    }

    /// <summary>An external broker cannot be stopped from here: every community's uplink is cut instead.</summary>
    public sealed class UplinksCut(GatewayFleet gateways) : StationControl
    {
        public override string Outage => "every community's uplink to the station is cut";

        public override Task GoDownAsync()
        {
            gateways.CutAllUplinks();
            return Task.CompletedTask;
        }

        public override Task ComeBackAsync(CancellationToken ct)
        {
            gateways.RestoreAllUplinks();
            return Task.CompletedTask;
        }
    }

    /// <summary>Gateways run elsewhere and the broker is not ours: no outage can be staged.</summary>
    public sealed class None : StationControl
    {
        public override string Outage => "none (the broker and the gateways are not the simulator's)";

        public override Task GoDownAsync() => throw new InvalidOperationException("this run cannot take the station down");

        public override Task ComeBackAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
