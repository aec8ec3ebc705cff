namespace Edge.Simulator.Devices;

/// <summary>How a supervised zone is disturbed.</summary>
public enum ZoneFault
{
    /// <summary>The contact opens: the loop reads twice its end-of-line resistance (alarm.zone).</summary>
    Open,

    /// <summary>The wire is cut: an open loop (alarm.cut).</summary>
    Cut,

    /// <summary>The loop is shorted, as a burglar bridging it would (alarm.tamper).</summary>
    Shorted,
}
