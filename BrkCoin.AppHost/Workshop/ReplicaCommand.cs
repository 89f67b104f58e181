namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// Runs one of Aspire's commands (start, stop) on one replica: <see cref="ResourceCommandService.ExecuteCommandAsync(string, string, CancellationToken)"/>
/// in the AppHost, a recording fake in the tests (the service's constructor is internal).
/// </summary>
public delegate Task<ExecuteCommandResult> ReplicaCommand(string replicaId, string command, CancellationToken cancellationToken);
