using Edge.Benchmarks;
using Edge.Benchmarks.Access;
using Edge.Benchmarks.Alarms;
using Edge.Benchmarks.Outbox;
using Edge.Benchmarks.Station;
using Edge.Benchmarks.Uplink;

return args.FirstOrDefault() switch
{
    "uplink" => await UplinkBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "outbox" => await OutboxBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "alarm" => await AlarmBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "codecs" => await CodecBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "community" => await CommunityLoadBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "catchup" => await CatchUpBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "osdp-line" => await OsdpLineBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "outage" => await OutageBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "failover" => await FailoverBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "commands" => await CommandBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "desk" => await DeskBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    "desk-page" => await DeskPageBenchmark.RunAsync(args[1..]).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: edge-bench uplink [--broker mqtt://127.0.0.1:PORT] [--events N] [--window W] [--durability Full|Normal]\n       edge-bench outbox [--events N]\n       edge-bench alarm [--presses N]\n       edge-bench codecs [--seconds S]\n       edge-bench community [--scenario rush|normal] [--communities N] [--seconds S]\n       edge-bench catchup [--events N] [--durability Full|Normal]\n       edge-bench osdp-line [--seconds S]\n       edge-bench outage [--seconds S] [--rate R] [--alarms N]\n       edge-bench failover [--gateways N] [--rate R] [--seconds S]\n       edge-bench commands [--rounds N]\n       edge-bench desk [--broker mqtt://127.0.0.1:PORT] [--desk amqp://USER:PASSWORD@HOST:PORT] [--postgresql CONNECTION] [--events N]\n       edge-bench desk-page [--communities N] [--scenario storm] [--screenshot FILE.png]");
    return 2;
}
