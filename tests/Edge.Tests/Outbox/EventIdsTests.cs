using System.Buffers.Binary;
using Edge.Gateway.Outbox;

namespace Edge.Tests.Outbox;

public sealed class EventIdsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 6, 30, 15, 421, TimeSpan.Zero);

    [Fact]
    public void An_id_is_a_uuid_version_7_of_the_millisecond_observed()
    {
        using var ids = new EventIds();
        var id = ids.Next(At.AddTicks(9_999));
        var bytes = id.ToByteArray(bigEndian: true);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, bytes[8] >> 6);
        Assert.Equal(At.ToUnixTimeMilliseconds(), (long)(BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16));
    }

    [Fact]
    public void Ids_of_the_same_millisecond_differ_past_many_refills_of_the_random_bytes()
    {
        using var ids = new EventIds();

        var made = Enumerable.Range(0, 10_000).Select(_ => ids.Next(At)).ToList();

        Assert.Equal(made.Count, made.Distinct().Count());
        Assert.All(made, id => Assert.Equal(7, id.Version));
    }

    [Fact]
    public void Ids_look_like_those_the_runtime_makes_for_the_same_time()
    {
        using var ids = new EventIds();
        var ours = ids.Next(At).ToByteArray(bigEndian: true);
        var runtimes = Guid.CreateVersion7(At).ToByteArray(bigEndian: true);

        // The same time field, version and variant: only the random bits differ.
        Assert.Equal(runtimes[..6], ours[..6]);
        Assert.Equal(runtimes[6] >> 4, ours[6] >> 4);
        Assert.Equal(runtimes[8] >> 6, ours[8] >> 6);
    }

    [Fact]
    public void A_time_before_1970_is_refused()
    {
        using var ids = new EventIds();
        Assert.Throws<ArgumentOutOfRangeException>(() => ids.Next(DateTimeOffset.UnixEpoch.AddMilliseconds(-1)));
    }
}
