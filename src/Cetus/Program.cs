using System.CommandLine;
using Cetus.Api.Json;
using Cetus.Commands;

// The long-running commands run with runtime settings read only from the environment (see RuntimeSettings): this may
// replace the process with itself, so it comes first.
RuntimeSettings.Ensure(args);

// Before anything is serialized: KubernetesClient's JSON settings look model types up one at a time.
ModelTypeInfoResolver.UseForKubernetesJson();

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
