using System.CommandLine;
using Cetus.Commands;

// The cetus binary: every mode (server, agent, up, ...) is a subcommand,
// one file per command under Commands/.
RootCommand root = new("Cetus: a Kubernetes-compatible container orchestrator in one binary.");
VersionCommand.AddTo(root);
UpCommand.AddTo(root);
ServerCommand.AddTo(root);
AgentCommand.AddTo(root);
ControllerManagerCommand.AddTo(root);
SchedulerCommand.AddTo(root);
HollowCommand.AddTo(root);
RuntimeCommand.AddTo(root);
TokenCommand.AddTo(root);
ExplainCommand.AddTo(root);

return root.Parse(args).Invoke();
