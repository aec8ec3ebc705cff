namespace Edge.Gateway.Hardware.Bridge;

/// <summary>Kinds of line of the virtual hardware bridge protocol (docs/hardware-bridge.md).</summary>
public enum BridgeMessageKind
{
    /// <summary>Gateway to simulator, first line: protocol version and the community whose hardware it wants.</summary>
    Hello,

    /// <summary>Simulator to gateway: an input pin's level (sent for every input after HELLO and on every change).</summary>
    Level,

    /// <summary>Simulator to gateway: an ADC channel's reading in counts (after HELLO and on every change).</summary>
    Adc,

    /// <summary>Gateway to simulator: an output pin written (LED, buzzer, strobe).</summary>
    Out,

    /// <summary>Either way: liveness check, answered with <see cref="Pong"/>.</summary>
    Ping,

    /// <summary>The answer to <see cref="Ping"/>.</summary>
    Pong,

    /// <summary>
    /// Simulator to gateway: the whole state has been sent after HELLO, the hardware is there. The gateway counts the
    /// bridge connected only from here; a connection closed before READY (hardware unplugged) is no connection.
    /// </summary>
    Ready,
}

/// <summary>
/// One line of the bridge protocol. <see cref="Number"/> is the pin or channel, <see cref="Value"/> the level (0/1) or
/// counts, <see cref="At"/> when a level or reading changed on the hardware (absent from version 1 peers).
/// </summary>
public readonly record struct BridgeMessage(BridgeMessageKind Kind, int Number = 0, int Value = 0, string? Text = null, DateTimeOffset? At = null);
