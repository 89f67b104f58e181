namespace BrkCoin.WebUi.Dashboard;

/// <summary>The latest dashboard, and a signal each time a new one is computed.</summary>
public interface IMinerFeed
{
    MinerDashboard Current { get; }

    event Action<MinerDashboard>? Changed;
}
