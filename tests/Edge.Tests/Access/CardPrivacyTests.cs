using Edge.Gateway.Access;

namespace Edge.Tests.Access;

public sealed class CardPrivacyTests
{
    private static readonly byte[] Secret = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

    [Fact]
    public void The_hash_is_hmac_sha256_of_format_facility_and_card_under_the_secret()
    {
        using var privacy = new CardPrivacy(Secret);

        // Computed independently: python3 hmac.new(bytes(range(16)), b'H10301:18:12345', hashlib.sha256).hexdigest()
        Assert.Equal("c0f5564a7df28d765c260c04eb42eeb9df004d8653dd756f0b8b24a85aa3fb65", privacy.Hash("H10301", 18, 12345));
        Assert.Equal("ade03e47626b2ead0946a0c96f0546536d554e23989ffab61b6abb93dd1b4d68", privacy.Hash("H10302", null, 12345678901));
        Assert.False(privacy.RevealRawNumbers);
    }

    [Fact]
    public void The_same_card_matches_itself_and_nothing_else_and_another_community_cannot_link_it()
    {
        using var here = new CardPrivacy(Secret);
        using var there = new CardPrivacy(Enumerable.Repeat((byte)0xA5, 32).ToArray());

        Assert.Equal(here.Hash("H10301", 18, 12345), here.Hash("H10301", 18, 12345));
        Assert.NotEqual(here.Hash("H10301", 18, 12345), here.Hash("H10301", 18, 12346));
        Assert.NotEqual(here.Hash("H10301", 18, 12345), here.Hash("H10301", 19, 12345));
        Assert.NotEqual(here.Hash("H10301", 18, 12345), here.Hash("H10306", 18, 12345));
        Assert.NotEqual(here.Hash("H10301", 18, 12345), there.Hash("H10301", 18, 12345));
        Assert.DoesNotContain("12345", here.Hash("H10301", 18, 12345), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_id_names_the_secret_that_made_the_hashes_and_changes_when_it_is_rotated()
    {
        using var before = new CardPrivacy(Secret);
        using var again = new CardPrivacy(Secret);
        using var rotated = new CardPrivacy(Enumerable.Repeat((byte)0xA5, 32).ToArray());

        // Computed independently: python3 hmac.new(bytes(range(16)), b'edge card key id', hashlib.sha256).hexdigest()[:8]
        Assert.Equal("a9bd4a31", before.KeyId);
        Assert.Equal(before.KeyId, again.KeyId);
        Assert.Equal("1477a3e2", rotated.KeyId);
    }

    [Fact]
    public void A_short_secret_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new CardPrivacy(new byte[15]));
    }
}
