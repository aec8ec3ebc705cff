using System.Device.Spi;

namespace Edge.Gateway.Hardware.Bridge;

/// <summary>
/// An <see cref="SpiDevice"/> that answers like an MCP3008 (8-channel, 10-bit ADC) from the readings the simulator
/// pushes over the bridge, so the gateway reads zones through Iot.Device.Adc's unchanged <c>Mcp3008</c> binding.
/// MCP3008 datasheet, section 5: request <c>0000000S MCCCxxxx xxxxxxxx</c> (start bit, single-ended, channel);
/// response <c>xxxxxxxx xxxxx0RR RRRRRRRR</c>.
/// </summary>
public sealed class VirtualMcp3008 : SpiDevice
{
    private readonly BridgeClient _bridge;
    private readonly int _firstChannel;

    /// <param name="firstChannel">Bridge ADC channel of this chip's channel 0 (several chips share the bridge's channel space).</param>
    public VirtualMcp3008(BridgeClient bridge, SpiConnectionSettings settings, int firstChannel = 0)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        _bridge = bridge;
        _firstChannel = firstChannel;
        ConnectionSettings = settings;
    }

    public override SpiConnectionSettings ConnectionSettings { get; }

    /// <summary>Conversions answered while the bridge had no reading for the channel (read as 0).</summary>
    public long Unknown { get; private set; }

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        readBuffer.Clear();
        if (writeBuffer.Length < 3 || readBuffer.Length < 3 || (writeBuffer[0] & 0x01) == 0)
        {
            // No start bit: the chip stays silent.
            return;
        }

        var channel = (writeBuffer[1] >> 4) & 0x07;
        var counts = _bridge.Adc(_firstChannel + channel);
        if (counts is null)
        {
            Unknown++;
        }

        if (counts > 1023)
        {
            // A 10-bit converter cannot say this: treat it as a garbled transfer, as a real bus error would be.
            throw new IOException($"MCP3008 channel {channel}: reading {counts} is beyond 10 bits");
        }

        var value = counts ?? 0;
        readBuffer[1] = (byte)((value >> 8) & 0x03);
        readBuffer[2] = (byte)(value & 0xFF);
    }

    public override void Read(Span<byte> buffer) => buffer.Clear();

    public override byte ReadByte() => 0;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
    }

    public override void WriteByte(byte value)
    {
    }
}
