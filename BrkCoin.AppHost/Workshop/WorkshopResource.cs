namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// The trainer's control panel in the dashboard (run mode only): no process of its own, just the
/// commands that scale the miner and turn its knobs, and the current shape as its properties.
/// It is a resource of its own because a command on a replicated resource cannot be addressed by
/// name (<c>aspire resource worker …</c> matches no single replica), while <c>workshop</c> can.
/// </summary>
public sealed class WorkshopResource(string name) : Resource(name);
