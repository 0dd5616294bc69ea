package org.fleetup.upgrade.internal;

/**
 * The entries an install keeps in its {@link org.fleetup.api.upgrade.Journal}, all in one place. Each is recorded
 * before the step that needs it after a restart does its irreversible part.
 *
 * <ul>
 * <li>{@link #CREATED}: directories the install made, parents first, one a line: a first install that does not end
 * verified removes them (when empty).</li>
 * <li>{@link #PREVIOUS_TARGET}, {@link #PREVIOUS_VERSION}: where {@code current} pointed before the install, and its
 * version; {@code ""} for a first install. Read once: a resumed install never takes the new release for the old. With
 * a strategy other than release directories ({@link InstallStrategy}), both are the version it read as installed.</li>
 * <li>{@link #STAGING}: the staging file, recorded before the first byte is sent; a resumed transfer appends to it
 * from its size on the server.</li>
 * <li>{@link #SCRATCH}: the directory being unpacked into, recorded before it is made: a resumed unpack removes it and
 * starts again in a fresh one.</li>
 * <li>{@link #UNIT}: the id of the on-server {@link SwitchUnit}, recorded before it is started. From then on the
 * switch is ordered: a resumed install reads the unit's journal on the server and never switches blindly.</li>
 * <li>{@link #ROLLBACK_UNIT}: the id of the unit that rolls back a release the controller's confirmation refused,
 * with {@link #ROLLBACK_REASON} the reason.</li>
 * <li>{@link #OUTCOME}: the last word a unit's journal ended with, as read back.</li>
 * <li>{@link #INSTALLABLE_SINCE}: when the server was first found not installable (busy, short of space), and
 * {@link #INSTALLABLE_BACK_OFF} the last wait before looking again: the wait's budget counts from the first look,
 * across the stops of a route and the restarts of a controller.</li>
 * <li>For a release that reboots the server ({@link RebootProof}): {@link #BOOT_ID}, the server's boot id read before
 * the switch; {@link #REBOOT_ORDERED}, {@code <reboot id> <boot id before>}, recorded before the reboot is ordered;
 * {@link #CHECK_UNIT}, the unit that checks the release once the server rebooted; on failure
 * {@link #SWITCH_BACK_UNIT}, the unit that points {@code current} back when the controller's confirmation refused
 * the release, {@link #REBOOT_BACK_ORDERED} as {@link #REBOOT_ORDERED} for the reboot into the previous release (with
 * {@link #ROLLBACK_REASON}), and {@link #CHECK_BACK_UNIT}, the unit that checks it. A resumed install goes on from
 * the last of them: a reboot ordered is proven (reconnect, compare boot ids) before anything else.</li>
 * </ul>
 */
final class JournalKeys {

    static final String CREATED = "created";
    static final String PREVIOUS_TARGET = "previousTarget";
    static final String PREVIOUS_VERSION = "previousVersion";
    static final String STAGING = "staging";
    static final String SCRATCH = "scratch";
    static final String UNIT = "unit";
    static final String ROLLBACK_UNIT = "rollbackUnit";
    static final String ROLLBACK_REASON = "rollbackReason";
    static final String OUTCOME = "outcome";
    static final String INSTALLABLE_SINCE = "installableSince";
    static final String INSTALLABLE_BACK_OFF = "installableBackOff";
    static final String BOOT_ID = "bootId";
    static final String REBOOT_ORDERED = "rebootOrdered";
    static final String CHECK_UNIT = "checkUnit";
    static final String SWITCH_BACK_UNIT = "switchBackUnit";
    static final String REBOOT_BACK_ORDERED = "rebootBackOrdered";
    static final String CHECK_BACK_UNIT = "checkBackUnit";

    private JournalKeys() {
    }
}
