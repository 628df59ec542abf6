// Catches a query that throws (most often the host's `auth` refusing) and shows its message
// in place of the part of the dashboard that failed. A class component: React has no hook
// for this, in 18 or 19. It resets when `resetKey` changes, e.g. a new range or site.
import { Component, type ReactNode } from "react";
import { errorMessage } from "./errors.js";

type Props = { resetKey: string; title?: string; children: ReactNode };
type State = { error: unknown; hasError: boolean };

export class DashboardErrorBoundary extends Component<Props, State> {
  state: State = { error: null, hasError: false };

  static getDerivedStateFromError(error: unknown): State {
    return { error, hasError: true };
  }

  componentDidUpdate(previous: Props) {
    if (this.state.hasError && previous.resetKey !== this.props.resetKey) this.reset();
  }

  reset = () => this.setState({ error: null, hasError: false });

  render() {
    if (!this.state.hasError) return this.props.children;
    return (
      <div className="cxa-card cxa-alert" role="alert">
        <p className="cxa-alert-title">{this.props.title ?? "Couldn't load analytics"}</p>
        <p className="cxa-alert-message">{errorMessage(this.state.error)}</p>
        <button type="button" className="cxa-button" onClick={this.reset}>
          Try again
        </button>
      </div>
    );
  }
}
