// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CredentialRegistry, ROLE_PRESCRIBER, ROLE_PHARMACY} from "./CredentialRegistry.sol";

/// @title CareKey prescription registry
/// @notice E-prescriptions dispensed exactly once: a verified prescriber records a
/// prescription's commitment with its total quantity and expiry; verified pharmacies dispense
/// from it, each dispense one transaction that lowers what remains, never below zero.
/// @dev The chain never sees the prescription: the commitment is the hash of the signed FHIR
/// MedicationRequest and a random salt, so no drug, dose or patient can be read or guessed from
/// it. A pharmacy learns the commitment from the prescription the patient shows (a SMART
/// Health Link), recomputes it and dispenses against it.
///
/// One storage slot per prescription (248 bits): the prescriber (160), total and remaining
/// quantity (uint24 each, up to 16,777,215 units), expiry (uint32 unix seconds, until 2106) and
/// the cancelled flag. A dispense reads and rewrites that one slot: two pharmacies that try to
/// take the last unit are ordered by the chain, and the second one's transaction reverts with
/// `MoreThanRemains`.
///
/// Roles come from a separate CredentialRegistry (one read per prescribe and dispense), so that
/// credentials serve clinicians without prescriptions, and prescriptions can be redeployed
/// without re-registering every professional.
contract PrescriptionRegistry {
    struct Prescription {
        address prescriber;
        uint24 total;
        uint24 remaining;
        uint32 expiry;
        bool cancelled;
    }

    CredentialRegistry public immutable credentials;

    mapping(bytes32 commitment => Prescription) private prescriptions;

    event Prescribed(bytes32 indexed commitment, address indexed prescriber, uint24 total, uint32 expiry);
    event Dispensed(bytes32 indexed commitment, address indexed pharmacy, uint24 amount, uint24 remaining);
    event PrescriptionCancelled(bytes32 indexed commitment, address indexed prescriber);

    /// The caller does not hold a valid prescriber credential now (`status` says why:
    /// CredentialRegistry.Status None, Revoked, Expired or Pending).
    error PrescriberNotVerified(address prescriber, CredentialRegistry.Status status);
    /// The caller does not hold a valid pharmacy credential now.
    error PharmacyNotVerified(address pharmacy, CredentialRegistry.Status status);
    /// The commitment is zero.
    error EmptyCommitment();
    /// The total quantity is zero.
    error EmptyQuantity();
    /// The expiry is not in the future.
    error ExpiryInPast(uint32 expiry);
    /// A prescription with this commitment is already recorded.
    error PrescriptionAlreadyRecorded(bytes32 commitment);
    /// No prescription with this commitment was recorded.
    error UnknownPrescription(bytes32 commitment);
    /// The prescription has expired: nothing more may be dispensed.
    error PrescriptionExpired(bytes32 commitment, uint32 expiry);
    /// The prescriber cancelled the prescription.
    error CancelledPrescription(bytes32 commitment);
    /// The amount asked for is more than remains (or zero).
    error MoreThanRemains(bytes32 commitment, uint24 requested, uint24 remaining);
    /// Only the prescriber who recorded a prescription may cancel it.
    error NotThePrescriber(bytes32 commitment, address prescriber);
    /// The prescription was already cancelled.
    error AlreadyCancelled(bytes32 commitment);

    constructor(CredentialRegistry credentials_) {
        credentials = credentials_;
    }

    /// @notice Records a prescription of `total` units that may be dispensed until `expiry`
    /// (unix seconds, exclusive). Only a prescriber with a valid credential may call it; the
    /// caller is recorded as the prescriber.
    function prescribe(bytes32 commitment, uint24 total, uint32 expiry) external {
        CredentialRegistry.Status status = credentials.statusFor(msg.sender, ROLE_PRESCRIBER);
        if (status != CredentialRegistry.Status.Valid) revert PrescriberNotVerified(msg.sender, status);
        if (commitment == bytes32(0)) revert EmptyCommitment();
        if (total == 0) revert EmptyQuantity();
        if (expiry <= block.timestamp) revert ExpiryInPast(expiry);
        Prescription storage p = prescriptions[commitment];
        if (p.prescriber != address(0)) revert PrescriptionAlreadyRecorded(commitment);
        prescriptions[commitment] =
            Prescription({prescriber: msg.sender, total: total, remaining: total, expiry: expiry, cancelled: false});
        emit Prescribed(commitment, msg.sender, total, expiry);
    }

    /// @notice Dispenses `amount` units of a prescription. Only a pharmacy with a valid
    /// credential may call it. Refuses an unknown, cancelled or expired prescription and an
    /// amount of zero or more than remains; otherwise lowers what remains by `amount`.
    function dispense(bytes32 commitment, uint24 amount) external {
        CredentialRegistry.Status status = credentials.statusFor(msg.sender, ROLE_PHARMACY);
        if (status != CredentialRegistry.Status.Valid) revert PharmacyNotVerified(msg.sender, status);
        Prescription storage p = prescriptions[commitment];
        if (p.prescriber == address(0)) revert UnknownPrescription(commitment);
        if (p.cancelled) revert CancelledPrescription(commitment);
        uint32 expiry = p.expiry;
        if (block.timestamp >= expiry) revert PrescriptionExpired(commitment, expiry);
        uint24 remaining = p.remaining;
        if (amount == 0 || amount > remaining) revert MoreThanRemains(commitment, amount, remaining);
        unchecked {
            remaining -= amount;
        }
        p.remaining = remaining;
        emit Dispensed(commitment, msg.sender, amount, remaining);
    }

    /// @notice Cancels a prescription: nothing more may be dispensed. Only its prescriber may,
    /// whatever the state of their credential now.
    function cancel(bytes32 commitment) external {
        Prescription storage p = prescriptions[commitment];
        address prescriber = p.prescriber;
        if (prescriber == address(0)) revert UnknownPrescription(commitment);
        if (prescriber != msg.sender) revert NotThePrescriber(commitment, prescriber);
        if (p.cancelled) revert AlreadyCancelled(commitment);
        p.cancelled = true;
        emit PrescriptionCancelled(commitment, msg.sender);
    }

    /// @notice What the chain holds for a prescription: all zero (prescriber address(0)) when
    /// none was recorded. `expired` is whether its expiry has passed at this block.
    function prescriptionOf(bytes32 commitment)
        external
        view
        returns (address prescriber, uint24 total, uint24 remaining, uint32 expiry, bool cancelled, bool expired)
    {
        Prescription memory p = prescriptions[commitment];
        return (p.prescriber, p.total, p.remaining, p.expiry, p.cancelled, p.prescriber != address(0) && block.timestamp >= p.expiry);
    }
}
