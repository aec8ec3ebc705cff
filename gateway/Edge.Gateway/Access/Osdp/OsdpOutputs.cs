namespace Edge.Gateway.Access.Osdp;

/// <summary>Output commands for a reader's LED and buzzer (OSDP 2.2 osdp_LED and osdp_BUZ).</summary>
public static class OsdpOutputs
{
    public const byte Black = 0;
    public const byte Red = 1;
    public const byte Green = 2;

    /// <summary>
    /// osdp_LED for reader 0, LED 0: no temporary change; the permanent state is <paramref name="color"/>, steady or
    /// flashing (0.5 s on, 0.5 s off, black between).
    /// </summary>
    public static byte[] Led(byte color, bool flash) =>
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, flash ? (byte)5 : (byte)1, flash ? (byte)5 : (byte)0, color, Black];

    /// <summary>osdp_BUZ for reader 0: the default tone 0.5 s on, 0.5 s off until told otherwise, or off.</summary>
    public static byte[] Buzzer(bool on) => on ? [0, 2, 5, 5, 0] : [0, 1, 0, 0, 0];
}
