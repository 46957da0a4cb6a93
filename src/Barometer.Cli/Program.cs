using System.CommandLine;
using Barometer.Cli;
using Barometer.Cli.Verbs;

var global = new GlobalOptions();
var root = new RootCommand("Barometer: real-time market intelligence for crypto derivatives (Binance, Bybit, OKX).");
global.AddTo(root);

// One line per verb; each verb lives in Verbs/<Name>Verb.cs.
root.Add(ConfigVerb.Create(global));
root.Add(NormalizeVerb.Create(global));
root.Add(ReplayVerb.Create(global));
root.Add(SimulateVerb.Create(global));
root.Add(ServeVerb.Create(global));

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
