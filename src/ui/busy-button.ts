/**
 * A button that starts something slow (a reload, another try at loading): pressed, it is disabled
 * and says what is under way, so a second press cannot start it twice.
 */
export function busyButton(
  label: string,
  busyLabel: string,
  onPress: () => void,
): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', () => {
    button.disabled = true;
    button.textContent = busyLabel;
    onPress();
  });
  return button;
}
