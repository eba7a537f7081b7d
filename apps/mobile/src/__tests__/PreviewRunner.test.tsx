import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react-native';
import { PreviewRunner } from '../preview/PreviewRunner';

// What packages/bundler emits for ios/android: CommonJS that requires the host's react and react-native.
const GOOD = `
var React = require('react');
var RN = require('react-native');
function App() {
  var s = React.useState(0);
  return React.createElement(RN.Pressable, { onPress: function () { s[1](s[0] + 1); } },
    React.createElement(RN.Text, null, 'Hello from the bundle, tapped ' + s[0]));
}
module.exports = { default: App };
`;
const THROWS_AT_LOAD = `throw new Error('load failure in bundle');`;
const THROWS_AT_RENDER = `
var React = require('react');
function Crash() { throw new Error('render failure in bundle'); }
exports.default = function App() { return React.createElement(Crash); };
`;
const NEEDS_OTHER = `require('lodash'); exports.default = function () { return null; };`;

describe('PreviewRunner', () => {
  it("renders the bundle's default export with the host's React Native, state included", () => {
    render(<PreviewRunner source={GOOD} title="Preview AB12-CD34" onLeave={() => undefined} />);
    fireEvent.press(screen.getByText('Hello from the bundle, tapped 0'));
    expect(screen.getByText('Hello from the bundle, tapped 1')).toBeTruthy();
    expect(screen.getByText('Preview AB12-CD34')).toBeTruthy();
  });

  it('shows the error and its stack when the bundle throws while loading', () => {
    render(<PreviewRunner source={THROWS_AT_LOAD} title="p" onLeave={() => undefined} />);
    expect(screen.getByText('The preview failed to load')).toBeTruthy();
    expect(screen.getByTestId('preview-error-message').props.children).toBe('Error: load failure in bundle');
    expect(String(screen.getByTestId('preview-error-stack').props.children)).toContain('hivesync-preview.js');
  });

  it('catches a render error in the boundary; Reload evaluates again; Leave leaves', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const onLeave = jest.fn();
    render(<PreviewRunner source={THROWS_AT_RENDER} title="p" onLeave={onLeave} />);
    expect(screen.getByText('The preview crashed while rendering')).toBeTruthy();
    expect(screen.getByTestId('preview-error-message').props.children).toBe('Error: render failure in bundle');
    expect(String(screen.getByTestId('preview-error-stack').props.children)).toContain('Crash');
    fireEvent.press(screen.getByRole('button', { name: 'Reload' }));
    expect(screen.getByText('The preview crashed while rendering')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Leave' }));
    expect(onLeave).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('names a module the host does not provide', () => {
    render(<PreviewRunner source={NEEDS_OTHER} title="p" onLeave={() => undefined} />);
    expect(String(screen.getByTestId('preview-error-message').props.children)).toContain('requires "lodash"');
  });
});
