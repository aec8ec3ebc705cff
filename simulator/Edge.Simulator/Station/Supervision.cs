namespace Edge.Simulator.Station;

/// <summary>
/// Gateway supervision as the station sees it: from the moment the simulator kills a gateway to the moment the station
/// probe receives its offline status (the broker's last will). A kill the station never noticed stays undetected.
/// </summary>
public sealed class Supervision
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _killed = [];
    private readonly List<double> _detectedS = [];
    private int _kills;

    /// <summary>Records that a gateway was killed now.</summary>
    public void Killed(string gateway, DateTimeOffset at)
    {
        lock (_lock)
        {
            _killed[gateway] = at;
            _kills++;
        }
    }

    public void Observe(ProbeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Status is not { State: Contracts.Status.GatewayState.Offline })
        {
            return;
        }

        lock (_lock)
        {
            if (_killed.Remove($"{message.Topic.Community}/{message.Topic.Gateway}", out var at))
            {
                _detectedS.Add(Math.Max(0, (message.ReceivedAt - at).TotalSeconds));
            }
        }
    }

    public int Kills { get { lock (_lock) { return _kills; } } }

    /// <summary>Kills whose offline status never reached the station.</summary>
    public int Undetected { get { lock (_lock) { return _killed.Count; } } }

    /// <summary>The longest time from a kill to the station seeing the gateway offline; null when none was killed.</summary>
    public double? OfflineDetectedMaxS { get { lock (_lock) { return _detectedS.Count == 0 ? null : Math.Round(_detectedS.Max(), 3); } } }
}
