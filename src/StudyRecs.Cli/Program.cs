using System.CommandLine;

// Each feature contributes its commands; the root only assembles them.
var root = new RootCommand("studyrecs: operate StudyRecs and its learning engine from the command line");

return await root.Parse(args).InvokeAsync();
