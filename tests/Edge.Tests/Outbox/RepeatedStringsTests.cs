using System.Text;
using Edge.Gateway.Outbox;

namespace Edge.Tests.Outbox;

public sealed class RepeatedStringsTests
{
    [Fact]
    public void The_same_text_read_twice_is_one_string_and_equal_to_what_was_stored()
    {
        var strings = new RepeatedStrings(10);
        var topic = "edge/v1/c001/gw1/events/access/门禁-3";

        var first = strings.Of(Encoding.UTF8.GetBytes(topic));
        var second = strings.Of(Encoding.UTF8.GetBytes(topic));

        Assert.Equal(topic, first);
        Assert.Same(first, second);
        Assert.NotSame(first, strings.Of(Encoding.UTF8.GetBytes("device.test")));
        Assert.Equal(2, strings.Count);
    }

    [Fact]
    public void Past_its_capacity_new_texts_are_still_read_right_but_not_kept()
    {
        var strings = new RepeatedStrings(2);
        strings.Of("a"u8);
        strings.Of("b"u8);

        var third = strings.Of("c"u8);

        Assert.Equal("c", third);
        Assert.NotSame(third, strings.Of("c"u8));
        Assert.Equal(2, strings.Count);
    }

    [Fact]
    public void Long_and_malformed_texts_read_as_a_plain_decode_would()
    {
        var strings = new RepeatedStrings(10);
        var longText = new string('x', 2_000);
        byte[] malformed = [0x61, 0xff, 0x62];

        Assert.Equal(longText, strings.Of(Encoding.UTF8.GetBytes(longText)));
        Assert.Equal(Encoding.UTF8.GetString(malformed), strings.Of(malformed));
        Assert.Equal("", strings.Of([]));
    }
}
