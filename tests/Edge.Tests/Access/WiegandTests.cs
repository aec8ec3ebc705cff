using Edge.Gateway.Access;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Access;

public sealed class WiegandTests
{
    private static bool[] Bits(string text) => text.Select(c => c == '1').ToArray();

    // Vectors computed independently (a Python implementation of the table in field-facts.md), not with the decoder.
    [Theory]
    [InlineData("00001001000110000001110011", WiegandFormat.H10301, 18L, 12345L)]
    [InlineData("01111111111111111111111111", WiegandFormat.H10301, 255L, 65535L)]
    [InlineData("1000001001101001011011101110101010", WiegandFormat.H10306, 1234L, 56789L)]
    [InlineData("0000100001110000110101000110010011101", WiegandFormat.H10304, 4321L, 345678L)]
    public void Cards_decode_to_their_facility_code_and_number(string bits, WiegandFormat format, long facility, long card)
    {
        var read = WiegandDecoder.Decode(Bits(bits));

        Assert.Null(read.Error);
        Assert.Equal((format, facility, card), (read.Format!.Value, read.Facility!.Value, read.Card!.Value));
        Assert.Equal(bits, string.Concat(WiegandDecoder.Encode(format, facility, card).Select(b => b ? '1' : '0')));
    }

    [Fact]
    public void A_37_bit_frame_is_H10302_when_configured_so()
    {
        var read = WiegandDecoder.Decode(Bits("1010110111111101110000011100001101010"), WiegandFormat.H10302);

        Assert.Equal(WiegandFormat.H10302, read.Format);
        Assert.Null(read.Facility);
        Assert.Equal(12345678901L, read.Card);
    }

    [Theory]
    [InlineData(WiegandFormat.H10301)]
    [InlineData(WiegandFormat.H10306)]
    [InlineData(WiegandFormat.H10304)]
    [InlineData(WiegandFormat.H10302)]
    public void Any_single_flipped_bit_of_a_valid_card_is_refused_never_read_as_another_card(WiegandFormat format)
    {
        var random = new Random(7);
        for (var n = 0; n < 200; n++)
        {
            var (facilityBits, cardBits) = format switch
            {
                WiegandFormat.H10301 => (8, 16),
                WiegandFormat.H10306 => (16, 16),
                WiegandFormat.H10304 => (16, 19),
                _ => (0, 35),
            };
            var facility = facilityBits == 0 ? 0 : random.NextInt64(1L << facilityBits);
            var card = random.NextInt64(1L << cardBits);
            var bits = WiegandDecoder.Encode(format, facility, card);
            var format37 = format == WiegandFormat.H10302 ? WiegandFormat.H10302 : WiegandFormat.H10304;
            Assert.Equal(card, WiegandDecoder.Decode(bits, format37).Card);

            var flip = random.Next(bits.Length);
            bits[flip] = !bits[flip];
            var read = WiegandDecoder.Decode(bits, format37);
            Assert.False(read.IsCard, $"{format} card {card} with bit {flip} flipped was read as {read.Card}");
            Assert.NotNull(read.Error);
        }
    }

    [Fact]
    public void Random_frames_are_cards_exactly_when_both_parities_hold()
    {
        var random = new Random(11);
        var cards = 0;
        for (var n = 0; n < 5000; n++)
        {
            var bits = Enumerable.Range(0, 26).Select(_ => random.Next(2) == 1).ToArray();
            var even = (bits[..13].Count(b => b) % 2) == 0;
            var odd = (bits[13..].Count(b => b) % 2) == 1;

            var read = WiegandDecoder.Decode(bits);

            Assert.Equal(even && odd, read.IsCard);
            cards += read.IsCard ? 1 : 0;
        }

        Assert.InRange(cards, 1000, 1500);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(27)]
    [InlineData(36)]
    [InlineData(65)]
    public void Frames_of_unknown_length_are_errors(int length)
    {
        var read = WiegandDecoder.Decode(new bool[length]);

        Assert.NotNull(read.Error);
        Assert.False(read.IsCard);
        Assert.False(read.IsKey);
    }

    [Fact]
    public void Keypad_frames_give_keys_and_an_8_bit_frame_must_carry_its_complement()
    {
        Assert.Equal(7, WiegandDecoder.Decode(Bits("0111")).Key);
        Assert.Equal(11, WiegandDecoder.Decode(WiegandDecoder.EncodeKey8(11)).Key);
        Assert.Equal("01001011", string.Concat(WiegandDecoder.EncodeKey8(11).Select(b => b ? '1' : '0')));

        var bad = WiegandDecoder.Decode(Bits("00001011"));
        Assert.Null(bad.Key);
        Assert.NotNull(bad.Error);
    }

    [Fact]
    public void The_receiver_ends_a_frame_after_the_gap_and_counts_bad_ones()
    {
        var time = new FakeTimeProvider();
        using var receiver = new WiegandReceiver(time);
        var reads = new List<WiegandRead>();
        receiver.FrameReceived += (r, _) => reads.Add(r);

        foreach (var bit in Bits("00001001000110000001110011"))
        {
            receiver.OnBit(bit);
            time.Advance(TimeSpan.FromMilliseconds(2));
        }

        Assert.Empty(reads);
        time.Advance(TimeSpan.FromMilliseconds(25));
        Assert.Equal(12345L, Assert.Single(reads).Card);

        // A noisy line: 100 bits in one burst is no card.
        for (var i = 0; i < 100; i++)
        {
            receiver.OnBit(i % 3 == 0);
        }

        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.Equal(2, reads.Count);
        Assert.Contains("line noise", reads[1].Error, StringComparison.Ordinal);
        Assert.Equal(1, receiver.Invalid);
    }
}
