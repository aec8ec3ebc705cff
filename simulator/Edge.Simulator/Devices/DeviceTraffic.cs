namespace Edge.Simulator.Devices;

/// <summary>What becomes of a community's door and camera acts while another act holds it.</summary>
public enum DeviceTraffic
{
    /// <summary>They go on.</summary>
    Continues,

    /// <summary>They stop: what the devices say meanwhile could not reach the station (the gateway is dead or blind to them).</summary>
    Stopped,

    /// <summary>Only the access controllers' doors go on: the gateway reads what it missed from their event logs.</summary>
    ControllersOnly,
}
