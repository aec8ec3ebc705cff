namespace Edge.Tests.Deploy;

/// <summary>
/// The tests that build a package with deploy/package.sh, one after the other: each publish restores the gateway's
/// projects for its architecture into the same obj folders and puts the lock files back when it ends.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackageBuilds
{
    public const string Name = "package builds";
}
