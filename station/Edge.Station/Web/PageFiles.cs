using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Edge.Station.Web;

/// <summary>The page's files, served from the assembly's resources so the desk needs no folder beside it.</summary>
internal static class PageFiles
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new();

    public static IResult Result(string name)
    {
        var bytes = Cache.GetOrAdd(name, Load);
        var type = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "application/octet-stream",
        };
        return Results.Bytes(bytes, type);
    }

    private static byte[] Load(string name)
    {
        using var s = typeof(PageFiles).Assembly.GetManifestResourceStream("Page/" + name)
                      ?? throw new InvalidOperationException($"the desk was built without its page file {name}");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
