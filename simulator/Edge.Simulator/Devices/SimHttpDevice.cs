using System.Net;

namespace Edge.Simulator.Devices;

/// <summary>A simulated device behind the <see cref="HttpDeviceServer"/>: its credentials, and whether it has fallen silent.</summary>
public abstract class SimHttpDevice(string user, string password)
{
    public string User { get; } = user;

    public string Password { get; } = password;

    /// <summary>A silent device answers nothing at all, not even heartbeats (a hung or unplugged device).</summary>
    public bool Silent { get; set; }
}
