using Edge.Fuzz;
using SharpFuzz;

// edge-fuzz: coverage-guided fuzzing of the gateway's parsers with afl-fuzz (Debian's afl++) and SharpFuzz.
// tests/Edge.Fuzz/fuzz.sh builds, instruments and runs it; README.md in this folder says how.
const string Usage = """
    usage: edge-fuzz targets                   the parsers under fuzzing
           edge-fuzz run TARGET                the harness afl-fuzz runs: one input on stdin per execution
           edge-fuzz replay TARGET PATH...     runs files (or every file in folders) through TARGET; exit 1 on a failure
           edge-fuzz instrument DIR            instruments Edge.Gateway.dll and Edge.Contracts.dll in DIR, in place
           edge-fuzz seeds DIR                 writes the seed corpus, one folder per target
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

switch (args[0])
{
    case "targets":
        foreach (var t in FuzzTargets.All)
        {
            Console.WriteLine($"{t.Name,-16} {t.What}");
        }

        return 0;
    case "run" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        // Persistent: one process runs every input afl-fuzz hands it; an exception is reported as a crash.
        Fuzzer.Run(stream =>
        {
            using var input = new MemoryStream();
            stream.CopyTo(input);
            _ = target.Run(input.ToArray());
        });
        return 0;
    case "replay" when args.Length >= 3 && FuzzTargets.Find(args[1]) is { } target:
        return Replay(target, args[2..]);
    case "instrument" when args.Length == 2:
        return Instrument(args[1]);
    case "seeds" when args.Length == 2:
        foreach (var (name, seeds) in FuzzSeeds.All())
        {
            var dir = Directory.CreateDirectory(Path.Combine(args[1], name));
            for (var i = 0; i < seeds.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(dir.FullName, $"seed-{i:00}"), seeds[i]);
            }

            Console.WriteLine($"{name}: {seeds.Count} seeds");
        }

        return 0;
    default:
        Console.Error.WriteLine($"edge-fuzz: '{string.Join(' ', args)}' is not a command or names no target ({string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
        Console.Error.WriteLine(Usage);
        return 2;
}

static int Replay(FuzzTarget target, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order(StringComparer.Ordinal).ToList();
    var (failed, taken) = (0, 0);
    foreach (var file in files)
    {
        try
        {
            taken += target.Run(File.ReadAllBytes(file)) ? 1 : 0;
        }
        catch (Exception ex)
        {
            failed++;
            Console.Error.WriteLine($"{file}: {ex}");
        }
    }

    Console.WriteLine($"{target.Name}: {files.Count} inputs, {taken} taken by the parser, {failed} failed");
    return failed == 0 && files.Count > 0 ? 0 : 1;
}

static int Instrument(string dir)
{
    foreach (var assembly in new[] { "Edge.Gateway.dll", "Edge.Contracts.dll" })
    {
        var path = Path.Combine(dir, assembly);
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"edge-fuzz: {path} not found");
            return 2;
        }

        var types = Fuzzer.Instrument(path, _ => true, Options.Value).Count();
        Console.WriteLine($"instrumented {assembly}: {types} types");
    }

    return 0;
}
