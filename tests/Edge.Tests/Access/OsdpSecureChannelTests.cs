using Edge.Gateway.Access.Osdp;

namespace Edge.Tests.Access;

/// <summary>The secure channel against the OSDP specification's annex E examples, and a CP and a PD talking through bytes.</summary>
public sealed class OsdpSecureChannelTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static readonly byte[] CpRandom = Hex("B0B1B2B3B4B5B6B7");
    private static readonly byte[] PdRandom = Hex("A0A1A2A3A4A5A6A7");
    private static readonly byte[] ClientUid = Hex("0011223344556677");

    [Fact]
    public void Annex_e_crc_and_checksum_examples()
    {
        var crc1 = OsdpChecks.Crc16(Hex("537F0D00046E0080250000"));
        var crc2 = OsdpChecks.Crc16(Hex("53000900046100"));

        Assert.Equal((0x6E, 0x38), ((byte)crc1, (byte)(crc1 >> 8)));
        Assert.Equal((0xC0, 0x66), ((byte)crc2, (byte)(crc2 >> 8)));
        Assert.Equal(0x0F, OsdpChecks.Checksum(Hex("537F0C00006E0080250000")));
        Assert.Equal(0x44, OsdpChecks.Checksum(Hex("53000800006100")));
    }

    [Fact]
    public void Annex_e_session_keys_cryptograms_and_initial_rmac_under_scbk_d()
    {
        var keys = OsdpCrypto.SessionKeys(OsdpCrypto.InstallKey, CpRandom);

        Assert.Equal("BF8DC2A8329ACB8C67C6D0CD9A451682", Convert.ToHexString(keys.Enc));
        Assert.Equal("5E86C676603BDEE2D8BEAFE178637332", Convert.ToHexString(keys.Mac1));
        Assert.Equal("6FDA86E857777E81132035758239172E", Convert.ToHexString(keys.Mac2));
        Assert.Equal("FDE5D2F428EC16312471EA3C02BD7796", Convert.ToHexString(OsdpCrypto.ClientCryptogram(keys, CpRandom, PdRandom)));
        var server = OsdpCrypto.ServerCryptogram(keys, CpRandom, PdRandom);
        Assert.Equal("26D3356E07762D262801FC8E6665A891", Convert.ToHexString(server));
        Assert.Equal("B2A30057EB98BA2229EC1F875662B524", Convert.ToHexString(OsdpCrypto.InitialRmac(keys, server)));
    }

    [Fact]
    public void The_scbk_is_the_master_key_over_the_uid_and_its_complement()
    {
        var master = Hex("000102030405060708090A0B0C0D0E0F");

        var scbk = OsdpCrypto.DeriveScbk(master, ClientUid);

        // openssl enc -aes-128-ecb -K 000102030405060708090A0B0C0D0E0F -nopad over 0011223344556677FFEEDDCCBBAA9988
        Assert.Equal("CD425CA8695B5B8C7A0D6D1DB9F75C0D", Convert.ToHexString(scbk));
        Assert.NotEqual(Convert.ToHexString(scbk), Convert.ToHexString(OsdpCrypto.DeriveScbk(master, Hex("0011223344556678"))));
    }

    /// <summary>A packet goes over the wire: encoded, then decoded by the other side.</summary>
    private static OsdpPacket Wire(OsdpPacket packet)
    {
        Assert.Equal(OsdpDecodeError.None, OsdpCodec.TryDecode(OsdpCodec.Encode(packet), out var received, out _));
        return received!;
    }

    private static (OsdpSecureChannel Cp, OsdpSecureChannel Pd) Handshake(byte[] cpKey, byte[] pdKey)
    {
        var cp = new OsdpSecureChannel(cpKey);
        var pd = new OsdpSecureChannel(pdKey);
        var ccrypt = pd.OnChallenge(Wire(cp.Challenge(0x01, 1)), ClientUid);
        Assert.NotNull(ccrypt);
        var scrypt = cp.OnClientCryptogram(Wire(ccrypt), 2);
        if (scrypt is null)
        {
            return (cp, pd);
        }

        var rmac = pd.OnServerCryptogram(Wire(scrypt));
        Assert.NotNull(rmac);
        Assert.True(cp.OnInitialRmac(Wire(rmac)));
        return (cp, pd);
    }

    [Fact]
    public void A_cp_and_a_pd_establish_a_session_and_exchange_macd_and_encrypted_messages()
    {
        var key = Hex("11223344556677889900AABBCCDDEEFF");
        var (cp, pd) = Handshake(key, key);
        Assert.True(cp.Established);
        Assert.True(pd.Established);

        for (var seq = 1; seq <= 6; seq++)
        {
            var led = new OsdpPacket(0x01, false, (seq % 3) + 1, OsdpCommand.Led, Hex("00000101020000"));
            var sent = Wire(cp.ProtectCommand(led));
            Assert.NotEqual(led.Data.ToArray(), sent.Data.ToArray());
            var opened = pd.OpenCommand(sent);
            Assert.NotNull(opened);
            Assert.Equal(led.Data.ToArray(), opened.Data.ToArray());

            var raw = new OsdpPacket(0x01, true, led.Sequence, OsdpReply.Raw, Hex("00011a0009181cc0"));
            var reply = cp.OpenReply(Wire(pd.ProtectReply(raw)));
            Assert.NotNull(reply);
            Assert.Equal(raw.Data.ToArray(), reply.Data.ToArray());

            // A POLL has no data: MAC only.
            var poll = Wire(cp.ProtectCommand(new OsdpPacket(0x01, false, 1, OsdpCommand.Poll, Array.Empty<byte>())));
            Assert.Equal(0x15, poll.SecurityBlock!.Value.Span[1]);
            Assert.NotNull(pd.OpenCommand(poll));
            Assert.NotNull(cp.OpenReply(Wire(pd.ProtectReply(new OsdpPacket(0x01, true, 1, OsdpReply.Ack, Array.Empty<byte>())))));
        }
    }

    [Fact]
    public void A_tampered_or_replayed_reply_and_a_wrong_key_are_refused()
    {
        var key = Hex("11223344556677889900AABBCCDDEEFF");
        var (cp, pd) = Handshake(key, key);
        Assert.NotNull(pd.OpenCommand(Wire(cp.ProtectCommand(new OsdpPacket(0x01, false, 1, OsdpCommand.Poll, Array.Empty<byte>())))));
        var reply = Wire(pd.ProtectReply(new OsdpPacket(0x01, true, 1, OsdpReply.Raw, Hex("00011a0009181cc0"))));

        var tampered = reply.Data.ToArray();
        tampered[0] ^= 0x01;
        Assert.Null(cp.OpenReply(reply with { Data = tampered }));
        Assert.NotNull(cp.OpenReply(reply));

        // The chain has moved on: the same reply again is a replay.
        Assert.NotNull(pd.OpenCommand(Wire(cp.ProtectCommand(new OsdpPacket(0x01, false, 2, OsdpCommand.Poll, Array.Empty<byte>())))));
        Assert.Null(cp.OpenReply(reply));

        var (stranger, _) = Handshake(key, Hex("FFEEDDCCBBAA00998877665544332211"));
        Assert.False(stranger.Established);
    }
}
